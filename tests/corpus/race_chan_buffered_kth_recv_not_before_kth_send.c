/* The capacity rule needs the buffer to be full: with C = 2 and only one element queued,
 * main's second send completes without waiting for any receive, so the consumer's write
 * before its receive is concurrent with main's read after that send: race. */
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
    wg_add(&wg, 1);
    go(consumer, ch);
    chan_send(ch, &v); /* the second send: room in the buffer, no wait */
    int seen = data;
    wg_wait(&wg);
    chan_recv(ch, NULL);
    printf("seen %d\n", seen);
    return 0;
}
