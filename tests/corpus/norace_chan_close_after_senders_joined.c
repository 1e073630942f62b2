/* The worker-pool ending: workers send results into a buffered channel and call wg_done;
 * main closes the channel only after wg_wait, so every send happens before the close,
 * and ranges over what is left. */
#include <goroutine.h>
#include <stdio.h>

static waitgroup_t wg;

static void worker(void *arg)
{
    chan_t *results = arg;
    for (int i = 0; i < 3; i++)
        chan_send(results, &i);
    wg_done(&wg);
}

int main(void)
{
    chan_t *results = chan_make(sizeof(int), 16);
    wg_add(&wg, 4);
    for (int w = 0; w < 4; w++)
        go(worker, results);
    wg_wait(&wg);
    chan_close(results);
    int v, sum = 0;
    chan_range(results, v) sum += v;
    printf("%d\n", sum);
    chan_free(results);
    return 0;
}
