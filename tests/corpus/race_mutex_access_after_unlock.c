/* Only the critical section is protected: the worker writes `state` once more after its
 * unlock.  main takes the lock after that (it waits on a relaxed atomic, which orders
 * nothing) and reads `state`: its Lock acquires the worker's Unlock, which precedes the
 * stray write, so the read still races with it. */
#include <goroutine.h>
#include <stdatomic.h>
#include <stdio.h>

static int state;
static mutex_t mu;
static atomic_int worker_done;
static waitgroup_t wg;

static void worker(void *arg)
{
    (void)arg;
    mutex_lock(&mu);
    state = 1;
    mutex_unlock(&mu);
    state = 2;
    atomic_store_explicit(&worker_done, 1, memory_order_relaxed);
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 1);
    go(worker, NULL);
    while (!atomic_load_explicit(&worker_done, memory_order_relaxed))
        go_yield();
    mutex_lock(&mu);
    int seen = state;
    mutex_unlock(&mu);
    wg_wait(&wg);
    printf("seen %d\n", seen);
    return 0;
}
