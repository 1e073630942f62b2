/* Go memory model: closing a channel happens before a receive that returns because the
 * channel is closed.  The goroutine writes `status`, closes `done`; main's receive sees
 * the close (ok == false) and reads `status`. */
#include <goroutine.h>
#include <stdio.h>

static int status;

static void finisher(void *arg)
{
    chan_t *done = arg;
    status = 200;
    chan_close(done);
}

int main(void)
{
    chan_t *done = chan_make(sizeof(int), 0);
    go(finisher, done);
    int v = -1;
    bool ok = chan_recv(done, &v);
    if (ok || v != 0 || status != 200) {
        fprintf(stderr, "ok %d v %d status %d\n", ok, v, status);
        return 1;
    }
    return 0;
}
