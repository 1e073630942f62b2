/* A 1-byte write overlaps an 8-byte read of the same word. */
#include <goroutine.h>
#include <stdio.h>
#include <string.h>

static union {
    long word;
    char b[8];
} u;
static waitgroup_t wg;

static void poke(void *arg)
{
    (void)arg;
    u.b[5] = 1;
    wg_done(&wg);
}

static void peek(void *arg)
{
    long *out = arg;
    *out = *(volatile long *)&u.word;
    wg_done(&wg);
}

int main(void)
{
    static long seen;
    wg_add(&wg, 2);
    go(poke, NULL);
    go(peek, &seen);
    wg_wait(&wg);
    printf("%ld\n", seen);
    return 0;
}
