/* Access kinds: two goroutines read concurrently (the shadow holds a read-shared set),
 * then a third writes after being told on a relaxed atomic.  The write is ordered after
 * reader 0 (it waited on reader 0's WaitGroup) but not after reader 1: race with reader
 * 1's read -- the detector must check every reader, not only the last. */
#include <goroutine.h>
#include <stdatomic.h>
#include <stdio.h>

static int value = 5;
static int seen[2];
static atomic_int reads_done;
static waitgroup_t reader0, wg;

static void reader(void *arg)
{
    int r = (int)(intptr_t)arg;
    seen[r] = value;
    atomic_fetch_add_explicit(&reads_done, 1, memory_order_relaxed);
    if (r == 0)
        wg_done(&reader0);
    wg_done(&wg);
}

static void writer(void *arg)
{
    (void)arg;
    wg_wait(&reader0);
    while (atomic_load_explicit(&reads_done, memory_order_relaxed) < 2)
        go_yield();
    value = 6;
    wg_done(&wg);
}

int main(void)
{
    wg_add(&reader0, 1);
    wg_add(&wg, 3);
    go(writer, NULL);
    go(reader, (void *)1);
    go(reader, (void *)0);
    wg_wait(&wg);
    printf("seen %d %d\n", seen[0], seen[1]);
    return 0;
}
