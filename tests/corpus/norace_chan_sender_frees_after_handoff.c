/* Once an unbuffered send to a parked receiver returns, the transfer is complete: the
 * sender may free the channel at once, even before the receiver has run again, so the
 * runtime must not read the channel on the receiver's way out.  A decoy channel with a
 * 64-byte element takes the freed block: a receiver that read its element size there
 * would check a 64-byte write into `box` and race with main's write next to `got`. */
#include <goroutine.h>
#include <stdio.h>

static struct {
    int got;
    char pad[60];
} box;
static waitgroup_t wg;

static void receiver(void *arg)
{
    chan_t *ch = arg;
    chan_recv(ch, &box.got);
    wg_done(&wg);
}

int main(void)
{
    for (int round = 0; round < 20; round++) {
        chan_t *ch = chan_make(sizeof(int), 0);
        wg_add(&wg, 1);
        go(receiver, ch);
        go_yield(); /* at procs = 1 the receiver parks first */
        int v = round;
        chan_send(ch, &v);
        chan_free(ch);
        chan_t *decoy = chan_make(64, 0);
        box.pad[round] = 1;
        wg_wait(&wg);
        chan_free(decoy);
    }
    printf("%d\n", box.got);
    return 0;
}
