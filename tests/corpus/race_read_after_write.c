/* Access kinds: a write, then (in real time) an unordered read.  The reader waits for the
 * write on a relaxed atomic, which orders nothing: race. */
#include <goroutine.h>
#include <stdatomic.h>
#include <stdio.h>

static int value;
static atomic_int write_done;
static waitgroup_t wg;

static void writer(void *arg)
{
    (void)arg;
    value = 2;
    atomic_store_explicit(&write_done, 1, memory_order_relaxed);
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 1);
    go(writer, NULL);
    while (!atomic_load_explicit(&write_done, memory_order_relaxed))
        go_yield();
    int seen = value;
    wg_wait(&wg);
    printf("seen %d\n", seen);
    return 0;
}
