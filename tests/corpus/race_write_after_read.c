/* Access kinds: a read, then (in real time) an unordered write.  The writer waits for the
 * read on a relaxed atomic -- which orders nothing -- so the write comes second on every
 * schedule and the detector must find the earlier read in the shadow: race. */
#include <goroutine.h>
#include <stdatomic.h>
#include <stdio.h>

static int value = 1;
static atomic_int read_done;
static waitgroup_t wg;

static void writer(void *arg)
{
    (void)arg;
    while (!atomic_load_explicit(&read_done, memory_order_relaxed))
        go_yield();
    value = 2;
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 1);
    go(writer, NULL);
    int seen = value;
    atomic_store_explicit(&read_done, 1, memory_order_relaxed);
    wg_wait(&wg);
    printf("seen %d\n", seen);
    return 0;
}
