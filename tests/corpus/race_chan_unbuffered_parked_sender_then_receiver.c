/* The mirror of race_chan_unbuffered_parked_receiver_then_sender: the sender parks first
 * and, once main's receive has woken it, writes first; main writes after it, ordered by
 * nothing (it polls the goroutine count): a race. */
#include <goroutine.h>
#include <stdio.h>

int shared; /* not static: its stores must stay */
static chan_t *ch;

static void sender(void *arg)
{
    (void)arg;
    int v = 1;
    chan_send(ch, &v);
    shared = 1;
}

int main(void)
{
    ch = chan_make(sizeof(int), 0);
    go(sender, NULL);
    go_yield(); /* procs=1: the sender parks before the receive */
    chan_recv(ch, NULL);
    while (go_num_goroutine() > 1)
        go_yield();
    shared = 2;
    printf("shared %d\n", shared);
    chan_free(ch);
    return 0;
}
