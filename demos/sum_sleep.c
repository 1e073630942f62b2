/* sum: batch1 = sum(1, 100) in a goroutine, batch2 = sum(1, 10) in main, and main
 * "waits" with a one-second sleep.  The printed numbers look right, but a sleep is not
 * synchronisation: nothing orders the goroutine's write of batch1 before main's read. */
#include <goroutine.h>
#include <stdio.h>

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
}

int main(void)
{
    int batch1 = 0, batch2;
    go(batch, &batch1);
    batch2 = sum(1, 10);

    go_sleep_ms(1000); /* time.Second */
    printf("%d %d\n", batch1, batch2);
    return 0;
}
