/* Goroutines that never synchronise with each other run one after another on reused
 * stacks: their locals must not race with the previous owner's. */
#include <goroutine.h>
#include <stdio.h>

static int32_t finished;

static __attribute__((noinline)) int fill(volatile int *buf, int n, int seed)
{
    int s = 0;
    for (int i = 0; i < n; i++)
        buf[i] = seed + i;
    for (int i = 0; i < n; i++)
        s += buf[i];
    return s;
}

static void worker(void *arg)
{
    volatile int local[64];
    long seed = (long)arg;
    if (fill(local, 64, (int)seed) < 0)
        printf("impossible\n");
    atomic_add_int32(&finished, 1); /* the only shared state, and it is atomic */
}

int main(void)
{
    for (long round = 0; round < 50; round++) {
        int32_t want = (int32_t)round + 1;
        go(worker, (void *)round);
        while (atomic_load_int32(&finished) < want)
            go_yield();
    }
    printf("%d\n", finished);
    return 0;
}
