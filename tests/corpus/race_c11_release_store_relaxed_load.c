/* Both halves of message passing need the right order: a release store read by a RELAXED
 * load synchronises nothing, so the reader's access to `data` races. */
#include <goroutine.h>
#include <stdatomic.h>
#include <stdio.h>

static long data;
static atomic_int ready;
static waitgroup_t wg;

static void writer(void *arg)
{
    (void)arg;
    data = 42;
    atomic_store_explicit(&ready, 1, memory_order_release);
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 1);
    go(writer, NULL);
    while (!atomic_load_explicit(&ready, memory_order_relaxed))
        go_yield();
    long seen = data;
    wg_wait(&wg);
    printf("seen %ld\n", seen);
    return 0;
}
