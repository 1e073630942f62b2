/* Ranging over a channel orders each send's PAST, not what the producer does next: here
 * the producer fills items[i] just after sending i, so the consumer's read of items[v]
 * races with it. */
#include <goroutine.h>
#include <stdio.h>

static int items[10];

static void producer(void *arg)
{
    chan_t *ch = arg;
    for (int i = 0; i < 10; i++) {
        chan_send(ch, &i);
        items[i] = i * i;
    }
    chan_close(ch);
}

int main(void)
{
    chan_t *ch = chan_make(sizeof(int), 10);
    go(producer, ch);
    int v, total = 0;
    chan_range(ch, v) total += items[v];
    printf("total %d\n", total);
    return 0;
}
