/* Freed and reused heap memory: goroutine A writes a block and frees it; goroutine B then
 * mallocs a block of the same size -- usually the very same address -- and writes it.
 * A and B are ordered only by the allocator (C11 7.22.3: a deallocation happens before
 * the allocation that reuses the storage); B waits for A's free on a relaxed atomic,
 * which orders nothing.  The detector must forget the freed block's history: no race. */
#include <goroutine.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIZE 48

static atomic_uintptr_t freed_at;
static int reused;
static waitgroup_t wg;

static void a_writes_and_frees(void *arg)
{
    (void)arg;
    long *p = malloc(SIZE);
    for (int i = 0; i < SIZE / 8; i++)
        p[i] = i;
    uintptr_t addr = (uintptr_t)p;
    free(p);
    atomic_store_explicit(&freed_at, addr, memory_order_relaxed);
    wg_done(&wg);
}

static void b_reuses(void *arg)
{
    (void)arg;
    uintptr_t old;
    while ((old = atomic_load_explicit(&freed_at, memory_order_relaxed)) == 0)
        go_yield();
    long *q = malloc(SIZE);
    reused = (uintptr_t)q == old;
    for (int i = 0; i < SIZE / 8; i++)
        q[i] = -i;
    long s = q[0] + q[SIZE / 8 - 1];
    free(q);
    if (s != -(SIZE / 8 - 1))
        go_panic("heap block corrupted");
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 2);
    go(b_reuses, NULL);
    go(a_writes_and_frees, NULL);
    wg_wait(&wg);
    printf("block reused: %s\n", reused ? "yes" : "no");
    return 0;
}
