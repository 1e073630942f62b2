/* C11 <stdatomic.h>: a release store observed by an acquire load makes everything before
 * the store happen before everything after the load (message passing). */
#include <goroutine.h>
#include <stdatomic.h>
#include <stdio.h>

static long data[3];
static atomic_int ready;
static waitgroup_t wg;

static void writer(void *arg)
{
    (void)arg;
    data[0] = 1;
    data[1] = 2;
    data[2] = 3;
    atomic_store_explicit(&ready, 1, memory_order_release);
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 1);
    go(writer, NULL);
    while (!atomic_load_explicit(&ready, memory_order_acquire))
        go_yield();
    long sum = data[0] + data[1] + data[2];
    wg_wait(&wg);
    return sum == 6 ? 0 : 1;
}
