/* Heap, freed memory: freeing a block is a write to all of it, so it races with reads
 * too.  main reads one word deep inside a big block (256 KB: the free reads the shadow
 * of such a block and sends only granules with a racing cell down the write's path),
 * then raises a relaxed flag, which orders nothing; the goroutine waiting for the flag
 * frees the block: the free races with main's read. */
#include <goroutine.h>
#include <stdio.h>
#include <stdlib.h>

#define WORDS (256 * 1024 / sizeof(long))

static long *block;
static int flag;
static volatile long sink;
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
    block = calloc(WORDS, sizeof *block);
    done = chan_make(sizeof(int), 0);
    go(freer, NULL);
    sink = block[WORDS / 2 + 3];
    __atomic_store_n(&flag, 1, __ATOMIC_RELAXED);
    int v;
    chan_recv(done, &v);
    printf("freed\n");
    return 0;
}
