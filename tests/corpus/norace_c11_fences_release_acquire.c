/* C11 fences: a release fence before a relaxed store, observed by a relaxed load
 * followed by an acquire fence, synchronises (fence-to-fence synchronisation, C11
 * 7.17.4). */
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
    long seen = data;
    wg_wait(&wg);
    return seen == 77 ? 0 : 1;
}
