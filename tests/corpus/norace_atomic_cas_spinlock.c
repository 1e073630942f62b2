/* A spinlock built from atomic_cas_int32 (acquire) and atomic_store_int32 (release)
 * protects a plain counter. */
#include <goroutine.h>
#include <stdio.h>

static int32_t lock;
static long counter;
static waitgroup_t wg;

static void spin_lock(void)
{
    while (!atomic_cas_int32(&lock, 0, 1))
        go_yield();
}

static void spin_unlock(void)
{
    atomic_store_int32(&lock, 0);
}

static void worker(void *arg)
{
    (void)arg;
    for (int i = 0; i < 100; i++) {
        spin_lock();
        counter++;
        spin_unlock();
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
    return counter == 300 ? 0 : 1;
}
