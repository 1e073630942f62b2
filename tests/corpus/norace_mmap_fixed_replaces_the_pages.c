/* MAP_FIXED over a live mapping replaces its pages, history included: a worker writes a
 * page it mapped, then maps a fresh page over it with MAP_FIXED; main, unordered with
 * the worker (a relaxed flag orders nothing), writes the new page.  (Before mmap was
 * intercepted, the worker's write to the old page was still in the shadow: a false
 * race.) */
#define _GNU_SOURCE
#include <goroutine.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/mman.h>

static _Atomic(int *) replaced;

static void worker(void *arg)
{
    (void)arg;
    int *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return;
    p[0] = 1;
    if (mmap(p, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != p)
        return;
    atomic_store_explicit(&replaced, p, memory_order_relaxed);
}

int main(void)
{
    go(worker, NULL);
    int *p;
    while (!(p = atomic_load_explicit(&replaced, memory_order_relaxed)))
        go_yield();
    p[0] = 2;
    printf("%d\n", p[0]);
    return 0;
}
