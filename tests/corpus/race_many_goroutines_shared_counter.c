/* Many goroutines: 100 goroutines increment one plain counter: race (reported once per
 * distinct pair of locations, not 100 times). */
#include <goroutine.h>
#include <stdio.h>

#define N 100

static long counter;
static waitgroup_t wg;

static void worker(void *arg)
{
    (void)arg;
    counter++;
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, N);
    for (int i = 0; i < N; i++)
        go(worker, NULL);
    wg_wait(&wg);
    printf("counter %ld\n", counter > 0 ? 1L : 0L);
    return 0;
}
