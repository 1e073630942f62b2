/* wg_done publishes only what came before it: a worker that writes after calling
 * wg_done races with main's read after wg_wait. */
#include <goroutine.h>
#include <stdio.h>

static int result;
static waitgroup_t wg;
static chan_t *exited;

static void worker(void *arg)
{
    (void)arg;
    wg_done(&wg);
    result = 1;
    chan_send(exited, &result);
}

int main(void)
{
    exited = chan_make(sizeof(int), 1);
    wg_add(&wg, 1);
    go(worker, NULL);
    wg_wait(&wg);
    int seen = result;
    chan_recv(exited, NULL);
    printf("seen %d\n", seen);
    return 0;
}
