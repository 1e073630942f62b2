/* close orders only what happened before it: the closer's write after close races with
 * the receiver's read after it saw the close. */
#include <goroutine.h>
#include <stdio.h>

static int status;
static waitgroup_t wg;

static void finisher(void *arg)
{
    chan_t *done = arg;
    chan_close(done);
    status = 200;
    wg_done(&wg);
}

int main(void)
{
    chan_t *done = chan_make(sizeof(int), 0);
    wg_add(&wg, 1);
    go(finisher, done);
    chan_recv(done, NULL);
    int seen = status;
    wg_wait(&wg);
    printf("seen %d\n", seen);
    return 0;
}
