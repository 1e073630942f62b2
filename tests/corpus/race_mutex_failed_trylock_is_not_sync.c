/* A TryLock that FAILS acquires nothing: the worker writes `data` and then takes the lock
 * and keeps it; main retries until its trylock fails (so the worker surely holds it), then
 * reads `data`: race, since no unlock was ever acquired by main.  A channel then tells
 * the worker to unlock and finish. */
#include <goroutine.h>
#include <stdio.h>

static int data;
static mutex_t mu;
static chan_t *release;
static waitgroup_t wg;

static void worker(void *arg)
{
    (void)arg;
    data = 4;
    mutex_lock(&mu);
    chan_recv(release, NULL);
    mutex_unlock(&mu);
    wg_done(&wg);
}

int main(void)
{
    release = chan_make(sizeof(int), 0);
    wg_add(&wg, 1);
    go(worker, NULL);
    while (mutex_trylock(&mu)) {
        mutex_unlock(&mu);
        go_yield();
    }
    int seen = data;
    int v = 0;
    chan_send(release, &v);
    wg_wait(&wg);
    printf("seen %d\n", seen);
    return 0;
}
