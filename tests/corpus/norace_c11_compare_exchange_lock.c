/* atomic_compare_exchange_strong_explicit(acq_rel on success) / weak as a lock, with a
 * release store to unlock, protects a plain struct. */
#include <goroutine.h>
#include <stdatomic.h>
#include <stdio.h>

static atomic_int owner;
static struct {
    long deposits;
    long total;
} account;
static waitgroup_t wg;

static void lock_as(int me)
{
    int expected = 0;
    while (!atomic_compare_exchange_weak_explicit(&owner, &expected, me, memory_order_acq_rel,
                                                  memory_order_relaxed)) {
        expected = 0;
        go_yield();
    }
}

static void worker(void *arg)
{
    int me = (int)(intptr_t)arg;
    for (int i = 0; i < 50; i++) {
        lock_as(me);
        account.deposits++;
        account.total += me;
        int expected = me;
        if (!atomic_compare_exchange_strong_explicit(&owner, &expected, 0, memory_order_release,
                                                     memory_order_relaxed))
            go_panic("lock stolen");
        go_yield();
    }
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 2);
    go(worker, (void *)1);
    go(worker, (void *)2);
    wg_wait(&wg);
    return account.deposits == 100 && account.total == 150 ? 0 : 1;
}
