/* wg_wait orders the workers before main, not the workers among themselves: two workers
 * both writing `total` race even though main waits for both. */
#include <goroutine.h>
#include <stdio.h>

static long total;
static waitgroup_t wg;

static void worker(void *arg)
{
    total += (long)(intptr_t)arg;
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 2);
    go(worker, (void *)1);
    go(worker, (void *)2);
    wg_wait(&wg);
    printf("total %ld\n", total);
    return 0;
}
