/* A free forgets the block's whole history, also for a goroutine that nothing orders
 * after the free: main frees a 64 KB block that a worker wrote densely (joined), and a
 * goroutine told only by a relaxed flag mallocs the same size (the same block, from the
 * same arena at procs = 1) and writes all of it.  Stale cells of the worker's writes
 * would race with those writes. */
#include <goroutine.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

enum { N = 64 * 1024 / 8 };
static long *block;
static atomic_int freed;
static waitgroup_t wrote, reused;

static void writer(void *arg)
{
    (void)arg;
    for (int i = 0; i < N; i++)
        block[i] = i;
    wg_done(&wrote);
}

static void reuser(void *arg)
{
    (void)arg;
    while (!atomic_load_explicit(&freed, memory_order_relaxed))
        go_yield();
    long *b = malloc(N * sizeof *b);
    for (int i = 0; i < N; i++)
        b[i] = -i;
    long sum = 0;
    for (int i = 0; i < N; i++)
        sum += b[i];
    printf("%s block, sum %ld\n", b == block ? "same" : "another", sum);
    free(b);
    wg_done(&reused);
}

int main(void)
{
    block = malloc(N * sizeof *block);
    wg_add(&wrote, 1);
    wg_add(&reused, 1);
    go(reuser, NULL);
    go(writer, NULL);
    wg_wait(&wrote);
    free(block);
    atomic_store_explicit(&freed, 1, memory_order_relaxed);
    wg_wait(&reused);
    return 0;
}
