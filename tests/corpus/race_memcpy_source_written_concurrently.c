/* Bulk memory: memcpy READS its source range; a goroutine writing the last byte of that
 * range while main copies it out is a race (read range vs 1-byte write). */
#include <goroutine.h>
#include <stdio.h>
#include <string.h>

static char source[32];
static waitgroup_t wg;

static void scribbler(void *arg)
{
    source[31] = (char)(intptr_t)arg;
    wg_done(&wg);
}

int main(void)
{
    char copy[32];
    wg_add(&wg, 1);
    go(scribbler, (void *)(intptr_t)'z');
    memcpy(copy, source, sizeof copy);
    wg_wait(&wg);
    int sum = 0;
    for (size_t i = 0; i < sizeof copy; i++)
        sum += copy[i];
    printf("sum %d\n", sum);
    return 0;
}
