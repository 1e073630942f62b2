/* Heap, freed memory: the same shape with a release/acquire flag (a goroutine.h atomic),
 * so main's write to the big block happens before the free: no race. */
#include <goroutine.h>
#include <stdio.h>
#include <stdlib.h>

#define WORDS (256 * 1024 / sizeof(long))

static long *block;
static int32_t flag;
static chan_t *done;

static void freer(void *arg)
{
    (void)arg;
    while (!atomic_load_int32(&flag))
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
    atomic_store_int32(&flag, 1);
    int v;
    chan_recv(done, &v);
    printf("freed\n");
    return 0;
}
