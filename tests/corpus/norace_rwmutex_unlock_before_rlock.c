/* sync.RWMutex: an Unlock happens before any later RLock returns.  The writer fills a
 * table under Lock; the readers wait (on a relaxed atomic, which orders nothing) until
 * the writer is done, then read under RLock: the Unlock -> RLock edge is the only one. */
#include <goroutine.h>
#include <stdatomic.h>
#include <stdio.h>

static int table[8];
static rwmutex_t rw;
static waitgroup_t wg;
static int sums[2];
static atomic_int written;

static void writer(void *arg)
{
    (void)arg;
    rwmutex_lock(&rw);
    for (int i = 0; i < 8; i++)
        table[i] = i;
    rwmutex_unlock(&rw);
    atomic_store_explicit(&written, 1, memory_order_relaxed);
    wg_done(&wg);
}

static void reader(void *arg)
{
    int r = (int)(intptr_t)arg;
    while (!atomic_load_explicit(&written, memory_order_relaxed))
        go_yield();
    rwmutex_rlock(&rw);
    int s = 0;
    for (int i = 0; i < 8; i++)
        s += table[i];
    rwmutex_runlock(&rw);
    sums[r] = s;
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 3);
    go(reader, (void *)0);
    go(reader, (void *)1);
    go(writer, NULL);
    wg_wait(&wg);
    return sums[0] == 28 && sums[1] == 28 ? 0 : 1;
}
