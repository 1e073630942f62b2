/* Freed and reused heap memory, the common shape: main and a worker share a block; after
 * the worker signals completion, main frees the block; a second worker started later
 * mallocs the same size (getting the same address back) and uses it: no race. */
#include <goroutine.h>
#include <stdio.h>
#include <stdlib.h>

#define SIZE 128

static waitgroup_t wg;
static void *first_addr;
static int reused;

static void fill(void *arg)
{
    int *block = arg;
    for (int i = 0; i < SIZE / 4; i++)
        block[i] = i;
    wg_done(&wg);
}

static void reuse(void *arg)
{
    (void)arg;
    int *block = malloc(SIZE);
    reused = (void *)block == first_addr;
    for (int i = 0; i < SIZE / 4; i++)
        block[i] = 2 * i;
    free(block);
    wg_done(&wg);
}

int main(void)
{
    int *block = malloc(SIZE);
    first_addr = block;
    wg_add(&wg, 1);
    go(fill, block);
    wg_wait(&wg);
    long s = 0;
    for (int i = 0; i < SIZE / 4; i++)
        s += block[i];
    free(block);
    wg_add(&wg, 1);
    go(reuse, NULL);
    wg_wait(&wg);
    printf("block reused: %s\n", reused ? "yes" : "no");
    return s == 496 ? 0 : 1;
}
