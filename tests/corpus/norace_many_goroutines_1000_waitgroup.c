/* Many goroutines: 1000 goroutines, each writes its own slot, one WaitGroup: no race,
 * and the detector must not run out of goroutine ids or clock slots. */
#include <goroutine.h>
#include <stdio.h>
#include <stdlib.h>

#define N 1000

static int *slots;
static waitgroup_t wg;

static void worker(void *arg)
{
    int i = (int)(intptr_t)arg;
    slots[i] = i;
    wg_done(&wg);
}

int main(void)
{
    slots = calloc(N, sizeof *slots);
    wg_add(&wg, N);
    for (int i = 0; i < N; i++)
        go(worker, (void *)(intptr_t)i);
    wg_wait(&wg);
    long s = 0;
    for (int i = 0; i < N; i++)
        s += slots[i];
    free(slots);
    return s == (long)N * (N - 1) / 2 ? 0 : 1;
}
