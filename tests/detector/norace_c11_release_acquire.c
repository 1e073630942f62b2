/* C11 release/acquire through compiler atomics (__tsan_atomic32_*): the message is
 * published by the release store and seen after the acquire load. */
#include <goroutine.h>
#include <stdatomic.h>
#include <stdio.h>

static int message;
static _Atomic int ready;
static waitgroup_t wg;

static void publisher(void *arg)
{
    (void)arg;
    message = 123;
    atomic_store_explicit(&ready, 1, memory_order_release);
    wg_done(&wg);
}

static void consumer(void *arg)
{
    int *out = arg;
    while (!atomic_load_explicit(&ready, memory_order_acquire))
        go_yield();
    *out = message;
    wg_done(&wg);
}

int main(void)
{
    static int seen;
    wg_add(&wg, 2);
    go(consumer, &seen);
    go(publisher, NULL);
    wg_wait(&wg);
    printf("%d\n", seen);
    return 0;
}
