/* A buffered send does not wait for its receive: writing after the send races with the
 * receiver's read. */
#include <goroutine.h>
#include <stdio.h>

static int data;
static chan_t *ch;
static waitgroup_t wg;

static void receiver(void *arg)
{
    (void)arg;
    int v;
    chan_recv(ch, &v);
    printf("%d\n", data);
    wg_done(&wg);
}

int main(void)
{
    ch = chan_make(sizeof(int), 1);
    wg_add(&wg, 1);
    go(receiver, NULL);
    int v = 1;
    chan_send(ch, &v);
    data = 5;
    wg_wait(&wg);
    return 0;
}
