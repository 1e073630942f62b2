/* sum with a WaitGroup instead of the sleep: wg.Done() at the end of the goroutine
 * happens before wg.Wait() returns, so main reads batch1 only after it was written. */
#include <goroutine.h>
#include <stdio.h>

static waitgroup_t wg;

static int sum(int from_num, int to_num)
{
    int result = 0;
    for (int i = from_num; i <= to_num; i++)
        result += i;
    return result;
}

static void batch(void *arg)
{
    int *batch1 = arg;
    *batch1 = sum(1, 100);
    wg_done(&wg);
}

int main(void)
{
    int batch1 = 0, batch2;
    wg_add(&wg, 1);
    go(batch, &batch1);
    batch2 = sum(1, 10);

    wg_wait(&wg);
    printf("%d %d\n", batch1, batch2);
    return 0;
}
