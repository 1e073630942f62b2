/* Go memory model (sync.WaitGroup): wg.Done happens before the Wait it releases returns.
 * Three workers fill their own part of a heap array; main reads all of it after Wait. */
#include <goroutine.h>
#include <stdio.h>
#include <stdlib.h>

#define WORKERS 3
#define PART 64

static int *results;
static waitgroup_t wg;

static void worker(void *arg)
{
    int w = (int)(intptr_t)arg;
    for (int i = 0; i < PART; i++)
        results[w * PART + i] = w + 1;
    wg_done(&wg);
}

int main(void)
{
    results = calloc(WORKERS * PART, sizeof *results);
    wg_add(&wg, WORKERS);
    for (int w = 0; w < WORKERS; w++)
        go(worker, (void *)(intptr_t)w);
    wg_wait(&wg);
    long sum = 0;
    for (int i = 0; i < WORKERS * PART; i++)
        sum += results[i];
    free(results);
    return sum == PART * (1 + 2 + 3) ? 0 : 1;
}
