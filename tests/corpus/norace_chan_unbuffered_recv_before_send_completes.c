/* Go memory model: a receive from an unbuffered channel happens before the corresponding
 * send completes.  The goroutine writes `reply` and then receives; main reads `reply`
 * once its send has returned.  (With a buffered channel this would race.) */
#include <goroutine.h>
#include <stdio.h>

static int reply;

static void acker(void *arg)
{
    chan_t *ch = arg;
    reply = 99;
    chan_recv(ch, NULL);
}

int main(void)
{
    chan_t *ch = chan_make(sizeof(int), 0);
    go(acker, ch);
    int v = 1;
    chan_send(ch, &v);
    if (reply != 99) {
        fprintf(stderr, "reply %d\n", reply);
        return 1;
    }
    return 0;
}
