/* Memory shape: each goroutine mallocs, fills and frees its own block while others do
 * the same: private heap memory never races. */
#include <goroutine.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WORKERS 4

static long sums[WORKERS];
static waitgroup_t wg;

static void worker(void *arg)
{
    int w = (int)(intptr_t)arg;
    for (int round = 0; round < 20; round++) {
        int *block = malloc(256 * sizeof *block);
        for (int i = 0; i < 256; i++)
            block[i] = i + w;
        long s = 0;
        for (int i = 0; i < 256; i++)
            s += block[i];
        free(block);
        sums[w] += s;
        go_yield();
    }
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, WORKERS);
    for (int w = 0; w < WORKERS; w++)
        go(worker, (void *)(intptr_t)w);
    wg_wait(&wg);
    for (int w = 0; w < WORKERS; w++)
        if (sums[w] != 20L * (32640 + 256L * w))
            return 1;
    return 0;
}
