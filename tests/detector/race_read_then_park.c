/* A read right before the reader parks: the detector may hold a read back to fuse it
 * with a write of the same bytes (race_pend), so it must apply it when the goroutine
 * switches away.  Otherwise the sender's handoff would first join the reader's clock,
 * and the read would then look ordered after main's write: the race would be lost. */
#include <goroutine.h>
#include <stdio.h>

static int shared;
static waitgroup_t wg;

static void reader(void *arg)
{
    chan_t *c = arg; /* a parameter: no access of its own to check */
    int v = shared;  /* nothing instrumented between this read and the park */
    int x;
    chan_recv(c, &x);
    printf("%d\n", v + x);
    wg_done(&wg);
}

int main(void)
{
    chan_t *c = chan_make(sizeof(int), 0);
    wg_add(&wg, 1);
    go(reader, c);
    go_yield(); /* at procs = 1 the reader runs now: reads, parks */
    shared = 1;
    int one = 1;
    chan_send(c, &one); /* only this send orders main before the reader's future */
    wg_wait(&wg);
    return 0;
}
