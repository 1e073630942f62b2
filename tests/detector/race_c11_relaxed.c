/* The same publication with relaxed atomics creates no edge: the message races. */
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
    atomic_store_explicit(&ready, 1, memory_order_relaxed);
    wg_done(&wg);
}

static void consumer(void *arg)
{
    int *out = arg;
    while (!atomic_load_explicit(&ready, memory_order_relaxed))
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
