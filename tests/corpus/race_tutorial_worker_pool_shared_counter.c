/* Tutorial (worker pools): three workers pull jobs from a `jobs` channel; the fib sum is
 * kept under a mutex, but each worker adds its own tally to a shared plain `processed`
 * counter when the channel is drained.  The jobs channel orders main -> worker, not
 * worker -> worker, so those additions race (every worker makes one, even with 0 jobs). */
#include <goroutine.h>
#include <stdio.h>

#define JOBS 30
#define WORKERS 3

static long processed;
static long fib_sum;
static mutex_t fib_mu;
static waitgroup_t wg;

static long fib(int n)
{
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

static void worker(void *arg)
{
    chan_t *jobs = arg;
    int n;
    long mine = 0;
    chan_range(jobs, n) {
        long f = fib(n);
        mutex_lock(&fib_mu);
        fib_sum += f;
        mutex_unlock(&fib_mu);
        mine++;
    }
    processed += mine;
    wg_done(&wg);
}

int main(void)
{
    chan_t *jobs = chan_make(sizeof(int), JOBS);
    wg_add(&wg, WORKERS);
    for (int w = 0; w < WORKERS; w++)
        go(worker, jobs);
    for (int i = 0; i < JOBS; i++) {
        int n = i % 15;
        chan_send(jobs, &n);
    }
    chan_close(jobs);
    wg_wait(&wg);
    printf("processed %ld fib_sum %ld\n", processed, fib_sum);
    return 0;
}
