/* On a buffered channel the receive does NOT happen before the send completes (only the
 * k-th receive before the (k+C)-th send).  The sender's write after its send is therefore
 * concurrent with the receiver's write after its receive: race. */
#include <goroutine.h>
#include <stdio.h>

static int shared;
static waitgroup_t wg;

static void sender(void *arg)
{
    chan_t *ch = arg;
    int v = 1;
    chan_send(ch, &v);
    shared = 1;
    wg_done(&wg);
}

int main(void)
{
    chan_t *ch = chan_make(sizeof(int), 1);
    wg_add(&wg, 1);
    go(sender, ch);
    chan_recv(ch, NULL);
    shared = 2;
    wg_wait(&wg);
    printf("shared %d\n", shared > 0);
    return 0;
}
