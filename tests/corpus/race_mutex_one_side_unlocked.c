/* A mutex held by only one side orders nothing: the worker locks, main writes without
 * locking: race. */
#include <goroutine.h>
#include <stdio.h>

static long hits;
static mutex_t mu;
static waitgroup_t wg;

static void worker(void *arg)
{
    (void)arg;
    mutex_lock(&mu);
    hits++;
    mutex_unlock(&mu);
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 1);
    go(worker, NULL);
    hits++;
    wg_wait(&wg);
    printf("hits %ld\n", hits);
    return 0;
}
