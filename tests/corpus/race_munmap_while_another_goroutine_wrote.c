/* Unmapping pages another goroutine wrote without an ordering edge is a race, as freeing
 * a block is: main writes a page it mapped, a worker unordered with main (a relaxed flag
 * orders nothing) unmaps it. */
#define _GNU_SOURCE
#include <goroutine.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/mman.h>

static _Atomic(int *) written;
static atomic_int done;

static void worker(void *arg)
{
    (void)arg;
    int *p;
    while (!(p = atomic_load_explicit(&written, memory_order_relaxed)))
        go_yield();
    munmap(p, 4096);
    atomic_store_explicit(&done, 1, memory_order_relaxed);
}

int main(void)
{
    int *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return 1;
    go(worker, NULL);
    p[0] = 1;
    atomic_store_explicit(&written, p, memory_order_relaxed);
    while (!atomic_load_explicit(&done, memory_order_relaxed))
        go_yield();
    printf("unmapped\n");
    return 0;
}
