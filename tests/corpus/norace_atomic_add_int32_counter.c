/* sync/atomic: concurrent atomic_add_int32 calls never race with each other. */
#include <goroutine.h>
#include <stdio.h>

static int32_t counter;
static waitgroup_t wg;

static void worker(void *arg)
{
    (void)arg;
    for (int i = 0; i < 500; i++) {
        atomic_add_int32(&counter, 1);
        if (i % 50 == 0)
            go_yield();
    }
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 4);
    for (int i = 0; i < 4; i++)
        go(worker, NULL);
    wg_wait(&wg);
    return atomic_load_int32(&counter) == 2000 ? 0 : 1;
}
