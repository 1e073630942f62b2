/* wg_done happens before the wg_wait it releases: main reads each worker's result. */
#include <goroutine.h>
#include <stdio.h>

static long results[8];
static waitgroup_t wg;

static void work(void *arg)
{
    long i = (long)arg;
    results[i] = i * i;
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 8);
    for (long i = 0; i < 8; i++)
        go(work, (void *)i);
    wg_wait(&wg);
    long sum = 0;
    for (int i = 0; i < 8; i++)
        sum += results[i];
    printf("sum = %ld\n", sum);
    return 0;
}
