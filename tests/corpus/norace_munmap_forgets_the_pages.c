/* Unmapped pages keep no history: a worker maps a page, writes it and unmaps it; main,
 * unordered with the worker (a relaxed flag orders nothing), maps the same address again
 * (MAP_FIXED_NOREPLACE: only if it is free) and writes it.  Different mappings, as two
 * heap blocks at one address after a free are different objects.  (Before munmap was
 * intercepted, the worker's write was still in the shadow: a false race.) */
#define _GNU_SOURCE
#include <goroutine.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/mman.h>

static _Atomic(int *) unmapped;

static void worker(void *arg)
{
    (void)arg;
    int *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return;
    p[0] = 1;
    munmap(p, 4096);
    atomic_store_explicit(&unmapped, p, memory_order_relaxed);
}

int main(void)
{
    go(worker, NULL);
    int *p;
    while (!(p = atomic_load_explicit(&unmapped, memory_order_relaxed)))
        go_yield();
    int *q = mmap(p, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
                  -1, 0);
    if (q != p)
        return 1; /* the address was taken: this run proves nothing */
    q[0] = 2;
    printf("%d\n", q[0]);
    return 0;
}
