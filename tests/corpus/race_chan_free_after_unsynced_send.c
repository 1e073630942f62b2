/* chan_free writes the channel, like close: freeing it after a send that nothing orders
 * before the free (only a relaxed flag says the send is over; the element is never
 * received) is a race. */
#include <goroutine.h>
#include <stdatomic.h>
#include <stdio.h>

static atomic_int sent;
static waitgroup_t wg;

static void sender(void *arg)
{
    chan_t *ch = arg;
    int v = 3;
    chan_send(ch, &v);
    atomic_store_explicit(&sent, 1, memory_order_relaxed);
    wg_done(&wg);
}

int main(void)
{
    chan_t *ch = chan_make(sizeof(int), 1);
    wg_add(&wg, 1);
    go(sender, ch);
    while (!atomic_load_explicit(&sent, memory_order_relaxed))
        go_yield();
    chan_free(ch);
    wg_wait(&wg);
    printf("freed\n");
    return 0;
}
