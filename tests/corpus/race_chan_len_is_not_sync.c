/* len(ch) is not a receive: polling chan_len until the producer's element shows up and
 * then reading the data the producer wrote before sending is a race (only the receive
 * itself would have ordered it).  main receives afterwards so the producer completes. */
#include <goroutine.h>
#include <stdio.h>

static int data;

static void producer(void *arg)
{
    chan_t *ch = arg;
    data = 8;
    int v = 1;
    chan_send(ch, &v);
}

int main(void)
{
    chan_t *ch = chan_make(sizeof(int), 1);
    go(producer, ch);
    while (chan_len(ch) == 0)
        go_yield();
    int seen = data;
    chan_recv(ch, NULL);
    printf("seen %d\n", seen);
    return 0;
}
