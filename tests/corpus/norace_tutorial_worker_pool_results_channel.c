/* Tutorial (worker pools), fixed: workers read `jobs` and send answers on `results`;
 * main receives exactly JOBS results and owns all the counting.  No shared counters, no
 * race. */
#include <goroutine.h>
#include <stdio.h>

#define JOBS 30
#define WORKERS 3

static long fib(int n)
{
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

struct pool {
    chan_t *jobs, *results;
};

static void worker(void *arg)
{
    struct pool *p = arg;
    int n;
    chan_range(p->jobs, n) {
        long f = fib(n);
        chan_send(p->results, &f);
    }
}

int main(void)
{
    struct pool p = {chan_make(sizeof(int), JOBS), chan_make(sizeof(long), JOBS)};
    for (int w = 0; w < WORKERS; w++)
        go(worker, &p);
    long want = 0;
    for (int i = 0; i < JOBS; i++) {
        int n = i % 15;
        want += fib(n);
        chan_send(p.jobs, &n);
    }
    chan_close(p.jobs);
    long got = 0, processed = 0;
    for (int i = 0; i < JOBS; i++) {
        long f;
        chan_recv(p.results, &f);
        got += f;
        processed++;
    }
    printf("processed %ld fib_sum %ld\n", processed, got);
    return got == want && processed == JOBS ? 0 : 1;
}
