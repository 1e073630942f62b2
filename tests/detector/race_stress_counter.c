/* Two goroutines hammer one counter with no synchronisation: at procs=2 they really run
 * in parallel, and the race must be reported however the updates interleave. */
#include <goroutine.h>
#include <stdio.h>

static long counter;
static waitgroup_t wg;

static void worker(void *arg)
{
    (void)arg;
    for (int i = 0; i < 100000; i++)
        counter++;
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 2);
    go(worker, NULL);
    go(worker, NULL);
    wg_wait(&wg);
    printf("%ld\n", counter);
    return 0;
}
