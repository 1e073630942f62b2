/* Legacy __sync builtins: __sync_lock_test_and_set (acquire) / __sync_lock_release
 * (release) as a spinlock, and __sync_fetch_and_add (full barrier) as a counter. */
#include <goroutine.h>
#include <stdio.h>

static int lock;
static long plain_total;
static long atomic_total;
static waitgroup_t wg;

static void worker(void *arg)
{
    (void)arg;
    for (int i = 0; i < 100; i++) {
        while (__sync_lock_test_and_set(&lock, 1))
            go_yield();
        plain_total += 2;
        __sync_lock_release(&lock);
        __sync_fetch_and_add(&atomic_total, 1);
        if (i % 10 == 0)
            go_yield();
    }
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 3);
    for (int i = 0; i < 3; i++)
        go(worker, NULL);
    wg_wait(&wg);
    return plain_total == 600 && atomic_total == 300 ? 0 : 1;
}
