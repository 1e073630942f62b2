/* pool: three workers pull job numbers off a jobs channel and compute fib(n).  Here they
 * add each result straight into a shared total: total += r is a read and a write, and
 * two workers doing it at once lose one of the results. */
#include <goroutine.h>
#include <stdio.h>

static waitgroup_t wg;
static int total;

static int fib(int n)
{
    return n <= 1 ? n : fib(n - 1) + fib(n - 2);
}

static void worker(void *jobs)
{
    int n;
    chan_range((chan_t *)jobs, n)
        total += fib(n);
    wg_done(&wg);
}

int main(void)
{
    chan_t *jobs = chan_make(sizeof(int), 10);
    wg_add(&wg, 3);
    for (int w = 0; w < 3; w++)
        go(worker, jobs);
    for (int i = 0; i < 10; i++)
        chan_send(jobs, &i);
    chan_close(jobs);
    wg_wait(&wg);
    printf("total=%d\n", total);
    return 0;
}
