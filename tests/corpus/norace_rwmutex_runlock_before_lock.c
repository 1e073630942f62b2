/* sync.RWMutex: an RUnlock happens before the next Lock returns.  Two readers read `data`
 * under RLock; the writer waits (on relaxed atomics, which order nothing) until both have
 * read, then overwrites `data` under Lock: the RUnlock -> Lock edges are the only ones. */
#include <goroutine.h>
#include <stdatomic.h>
#include <stdio.h>

static int data = 1;
static int views[2];
static rwmutex_t rw;
static waitgroup_t wg;
static atomic_int readers_done;

static void reader(void *arg)
{
    int r = (int)(intptr_t)arg;
    rwmutex_rlock(&rw);
    views[r] = data;
    rwmutex_runlock(&rw);
    atomic_fetch_add_explicit(&readers_done, 1, memory_order_relaxed);
    wg_done(&wg);
}

static void writer(void *arg)
{
    (void)arg;
    while (atomic_load_explicit(&readers_done, memory_order_relaxed) < 2)
        go_yield();
    rwmutex_lock(&rw);
    data = views[0] + views[1] + 1;
    rwmutex_unlock(&rw);
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 3);
    go(writer, NULL);
    go(reader, (void *)0);
    go(reader, (void *)1);
    wg_wait(&wg);
    return data == 3 ? 0 : 1;
}
