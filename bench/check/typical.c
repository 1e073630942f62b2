/* A typical student program: 4 workers sum slices of an array into per-worker partials
 * (about 10^5 instrumented accesses in all), joined with a WaitGroup, plus a mutex-guarded
 * shared total. */
#include <goroutine.h>
#include <stdio.h>

#define N 20000
static int data[N];
static long partial[4];
static long total;
static mutex_t mu;
static waitgroup_t wg;

static void worker(void *arg)
{
    long id = (long)arg, s = 0;
    for (int i = (int)id; i < N; i += 4)
        s += data[i];
    partial[id] = s;
    mutex_lock(&mu);
    total += s;
    mutex_unlock(&mu);
    wg_done(&wg);
}

int main(void)
{
    for (int i = 0; i < N; i++)
        data[i] = i;
    wg_add(&wg, 4);
    for (long w = 0; w < 4; w++)
        go(worker, (void *)w);
    wg_wait(&wg);
    printf("total %ld\n", total);
    return 0;
}
