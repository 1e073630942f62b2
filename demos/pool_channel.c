/* pool with a results channel: workers send each fib(n) back on results and only main
 * adds them up, so nothing is shared and no result is lost. */
#include <goroutine.h>
#include <stdio.h>

struct pool {
    chan_t *jobs, *results;
};

static int fib(int n)
{
    return n <= 1 ? n : fib(n - 1) + fib(n - 2);
}

static void worker(void *arg)
{
    struct pool *p = arg;
    int n;
    chan_range(p->jobs, n) {
        int r = fib(n);
        chan_send(p->results, &r);
    }
}

int main(void)
{
    struct pool p;
    p.jobs = chan_make(sizeof(int), 10);
    p.results = chan_make(sizeof(int), 10);
    for (int w = 0; w < 3; w++)
        go(worker, &p);
    for (int i = 0; i < 10; i++)
        chan_send(p.jobs, &i);
    chan_close(p.jobs);
    int total = 0;
    for (int j = 0; j < 10; j++) {
        int r;
        chan_recv(p.results, &r);
        total += r;
    }
    printf("total=%d\n", total);
    return 0;
}
