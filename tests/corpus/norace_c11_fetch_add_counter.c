/* C11 atomic_fetch_add / atomic_fetch_sub (seq_cst) from four goroutines: atomics never
 * race with atomics, and the final plain read comes after wg_wait. */
#include <goroutine.h>
#include <stdatomic.h>
#include <stdio.h>

static atomic_long counter;
static waitgroup_t wg;

static void worker(void *arg)
{
    long delta = (long)(intptr_t)arg;
    for (int i = 0; i < 300; i++) {
        if (delta > 0)
            atomic_fetch_add(&counter, delta);
        else
            atomic_fetch_sub(&counter, -delta);
        if (i % 30 == 0)
            go_yield();
    }
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 4);
    go(worker, (void *)3);
    go(worker, (void *)-1);
    go(worker, (void *)2);
    go(worker, (void *)-1);
    wg_wait(&wg);
    return atomic_load_explicit(&counter, memory_order_relaxed) == 300 * 3 ? 0 : 1;
}
