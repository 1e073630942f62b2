/* The classic WaitGroup bug: wg_add inside the goroutine it counts.  main can reach
 * wg_wait before any worker's Add, and then waits for nothing.  As in Go's race mode, the
 * counter leaving zero (the first worker's wg_add) reads the group and a Wait that blocks
 * writes it; nothing orders the two, so it is reported even in a run where main did wait.
 * main only sees a relaxed flag before waiting: no edge. */
#include <goroutine.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

enum { ROUNDS = 100 };
static waitgroup_t wgs[ROUNDS];
static atomic_int added[ROUNDS];

static void worker(void *arg)
{
    int r = (int)(intptr_t)arg;
    wg_add(&wgs[r], 1); /* wrong: belongs before the go statement */
    atomic_store_explicit(&added[r], 1, memory_order_relaxed);
    for (int i = 0; i < 8; i++)
        go_yield(); /* main blocks in wg_wait meanwhile (at procs = 2 most rounds) */
    wg_done(&wgs[r]);
}

int main(void)
{
    for (int r = 0; r < ROUNDS; r++) {
        go(worker, (void *)(intptr_t)r);
        go(worker, (void *)(intptr_t)r);
        while (!atomic_load_explicit(&added[r], memory_order_relaxed))
            go_yield();
        wg_wait(&wgs[r]);
    }
    printf("%d rounds\n", ROUNDS);
    return 0;
}
