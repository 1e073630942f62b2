/* for v := range ch: each iteration's receive follows its send, and the loop ends on the
 * receive that sees the close, which follows the close.  The producer writes a summary
 * right before closing; main reads it after the loop. */
#include <goroutine.h>
#include <stdio.h>

static int items[10];
static int summary;

static void producer(void *arg)
{
    chan_t *ch = arg;
    for (int i = 0; i < 10; i++) {
        items[i] = i * i;
        chan_send(ch, &i);
    }
    summary = 285;
    chan_close(ch);
}

int main(void)
{
    chan_t *ch = chan_make(sizeof(int), 3);
    go(producer, ch);
    int v, total = 0;
    chan_range(ch, v) total += items[v];
    if (total != 285 || summary != 285) {
        fprintf(stderr, "total %d summary %d\n", total, summary);
        return 1;
    }
    return 0;
}
