/* Access kinds: two writes, the second after the first in real time (relaxed atomic
 * hand-off, no happens-before): race. */
#include <goroutine.h>
#include <stdatomic.h>
#include <stdio.h>

static long value;
static atomic_int first_done;
static waitgroup_t wg;

static void first(void *arg)
{
    (void)arg;
    value = 1;
    atomic_store_explicit(&first_done, 1, memory_order_relaxed);
    wg_done(&wg);
}

static void second(void *arg)
{
    (void)arg;
    while (!atomic_load_explicit(&first_done, memory_order_relaxed))
        go_yield();
    value = 2;
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 2);
    go(second, NULL);
    go(first, NULL);
    wg_wait(&wg);
    printf("value %ld\n", value);
    return 0;
}
