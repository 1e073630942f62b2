/* Go memory model: the k-th receive on a channel of capacity C happens before the
 * (k+C)-th send on it completes.  C = 2: main fills the buffer (sends 1 and 2); the
 * goroutine writes `data` then makes receive 1; main's send 3 can only complete after
 * it, so main may read `data` afterwards. */
#include <goroutine.h>
#include <stdio.h>

static int data;
static waitgroup_t wg;

static void consumer(void *arg)
{
    chan_t *ch = arg;
    data = 17;
    chan_recv(ch, NULL);
    wg_done(&wg);
}

int main(void)
{
    chan_t *ch = chan_make(sizeof(int), 2);
    int v = 0;
    chan_send(ch, &v);
    chan_send(ch, &v);
    wg_add(&wg, 1);
    go(consumer, ch);
    chan_send(ch, &v); /* the third send: waits for the first receive */
    int seen = data;
    wg_wait(&wg);
    chan_recv(ch, NULL);
    chan_recv(ch, NULL);
    return seen == 17 ? 0 : 1;
}
