/* Heap, freed memory: freeing a block is a write to all of it.  main writes one word deep
 * inside a big block (256 KB: the free checks only the shadow chunks that exist) and then
 * raises a relaxed flag, which orders nothing; the goroutine waiting for the flag frees
 * the block: the free races with main's write. */
#include <goroutine.h>
#include <stdio.h>
#include <stdlib.h>

#define WORDS (256 * 1024 / sizeof(long))

static long *block;
static int flag;
static chan_t *done;

static void freer(void *arg)
{
    (void)arg;
    while (!__atomic_load_n(&flag, __ATOMIC_RELAXED))
        go_yield();
    free(block);
    int one = 1;
    chan_send(done, &one);
}

int main(void)
{
    block = malloc(WORDS * sizeof *block);
    done = chan_make(sizeof(int), 0);
    go(freer, NULL);
    block[WORDS / 2 + 3] = 42;
    __atomic_store_n(&flag, 1, __ATOMIC_RELAXED);
    int v;
    chan_recv(done, &v);
    printf("freed\n");
    return 0;
}
