/* Eight goroutines each write their own byte of one 8-byte word: byte precision. */
#include <goroutine.h>
#include <stdio.h>

static volatile char bytes[8] __attribute__((aligned(8)));
static waitgroup_t wg;

static void set(void *arg)
{
    long i = (long)arg;
    for (int k = 0; k < 100; k++)
        bytes[i] = (char)(i + k);
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 8);
    for (long i = 0; i < 8; i++)
        go(set, (void *)i);
    wg_wait(&wg);
    printf("%d\n", bytes[7]);
    return 0;
}
