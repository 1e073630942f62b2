/* A WaitGroup may be reused once Wait has returned: phase 2 workers read what phase 1
 * workers wrote, ordered through main (Done -> Wait -> go). */
#include <goroutine.h>
#include <stdio.h>

#define N 4

static int phase1[N], phase2[N];
static waitgroup_t wg;

static void produce(void *arg)
{
    int i = (int)(intptr_t)arg;
    phase1[i] = i + 1;
    wg_done(&wg);
}

static void consume(void *arg)
{
    int i = (int)(intptr_t)arg;
    phase2[i] = phase1[(i + 1) % N] * 10;
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, N);
    for (int i = 0; i < N; i++)
        go(produce, (void *)(intptr_t)i);
    wg_wait(&wg);
    wg_add(&wg, N);
    for (int i = 0; i < N; i++)
        go(consume, (void *)(intptr_t)i);
    wg_wait(&wg);
    for (int i = 0; i < N; i++)
        if (phase2[i] != ((i + 1) % N + 1) * 10)
            return 1;
    return 0;
}
