/* __atomic_compare_exchange_n (weak, SEQ_CST) in a retry loop and __atomic_fetch_nand /
 * __atomic_exchange_n: atomics never race with each other; the result is read after
 * wg_wait. */
#include <goroutine.h>
#include <stdio.h>

static long maximum;
static unsigned mask = ~0u;
static int last;
static waitgroup_t wg;

static void worker(void *arg)
{
    long mine = (long)(intptr_t)arg;
    for (long k = 0; k < 10; k++) {
        long cur = __atomic_load_n(&maximum, __ATOMIC_RELAXED);
        long want = mine * 100 + k;
        while (cur < want &&
               !__atomic_compare_exchange_n(&maximum, &cur, want, true, __ATOMIC_SEQ_CST,
                                            __ATOMIC_RELAXED))
            ;
        go_yield();
    }
    __atomic_fetch_nand(&mask, 0u, __ATOMIC_SEQ_CST); /* ~(x & 0) = all ones */
    __atomic_exchange_n(&last, (int)mine, __ATOMIC_ACQ_REL);
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 3);
    go(worker, (void *)1);
    go(worker, (void *)2);
    go(worker, (void *)3);
    wg_wait(&wg);
    return maximum == 309 && mask == ~0u && last >= 1 && last <= 3 ? 0 : 1;
}
