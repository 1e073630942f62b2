/* After an unbuffered handoff, the side that was parked accesses first and the side that
 * woke it second: the rendezvous orders neither of those accesses, so they race.  (The
 * detector joins both clocks at the handoff, on the parked goroutine's behalf; if the
 * parked side then went on in its old epoch, the waker would think itself after it.)
 * Here the receiver parks first; main, the sender, waits for it to finish without any
 * happens-before edge (polling the goroutine count). */
#include <goroutine.h>
#include <stdio.h>

int shared; /* not static: its stores must stay */
static chan_t *ch;

static void receiver(void *arg)
{
    (void)arg;
    chan_recv(ch, NULL);
    shared = 1;
}

int main(void)
{
    ch = chan_make(sizeof(int), 0);
    go(receiver, NULL);
    go_yield(); /* procs=1: the receiver parks before the send */
    int v = 1;
    chan_send(ch, &v);
    while (go_num_goroutine() > 1)
        go_yield();
    shared = 2;
    printf("shared %d\n", shared);
    chan_free(ch);
    return 0;
}
