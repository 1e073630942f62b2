/* C11 fence synchronisation (7.17.4): release fence, relaxed store ... relaxed load that
 * reads it, acquire fence.  The write of data happens before the read. */
#include <goroutine.h>
#include <stdatomic.h>
#include <stdio.h>

static long data;
static atomic_int ready;
static waitgroup_t wg;

static void writer(void *arg)
{
    (void)arg;
    data = 77;
    atomic_thread_fence(memory_order_release);
    atomic_store_explicit(&ready, 1, memory_order_relaxed);
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 1);
    go(writer, NULL);
    while (!atomic_load_explicit(&ready, memory_order_relaxed))
        go_yield();
    atomic_thread_fence(memory_order_acquire);
    printf("data=%ld\n", data);
    wg_wait(&wg);
    return 0;
}
