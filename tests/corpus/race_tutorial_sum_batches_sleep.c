/* Tutorial (WaitGroup section): batch1 = sum(1, 100) in a goroutine, batch2 = sum(1, 10)
 * in main, then time.Sleep(time.Second) and print both.  The sleep is the "not-so-elegant
 * method": it creates no happens-before edge, so reading batch1 races with its write.
 * (20 ms instead of a second; a WaitGroup after the read keeps the goroutine's write from
 * being cut off at exit, it orders nothing before the read.) */
#include <goroutine.h>
#include <stdio.h>

static int batch1;
static waitgroup_t finished;

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
    wg_done(&finished);
}

int main(void)
{
    wg_add(&finished, 1);
    go(batch, NULL);
    int batch2 = sum(1, 10);
    go_sleep_ms(20);
    printf("%d %d\n", batch1, batch2);
    wg_wait(&finished);
    return 0;
}
