/* Tutorial (WaitGroup section), fixed: wg.Add(1), the goroutine calls wg.Done() after
 * computing batch1, main calls wg.Wait() before printing.  Prints 5050 55, no race. */
#include <goroutine.h>
#include <stdio.h>

static int batch1;
static waitgroup_t wg;

static int sum(int from, int to)
{
    int result = 0;
    for (int i = from; i <= to; i++)
        result += i;
    return result;
}

static void batch(void *arg)
{
    (void)arg;
    batch1 = sum(1, 100);
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 1);
    go(batch, NULL);
    int batch2 = sum(1, 10);
    wg_wait(&wg);
    printf("%d %d\n", batch1, batch2);
    return batch1 == 5050 && batch2 == 55 ? 0 : 1;
}
