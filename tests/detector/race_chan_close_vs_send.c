/* A send reads its channel and close writes it, as in Go: the sender's buffered send is
 * done before the close in real time (a relaxed flag says so), but no edge orders them,
 * so the close races with the send (in another schedule the send panics).  The report
 * names both operations above the user's frames.
 * expect-after: ^Write at => ^  chan_close\(\)
 * expect-after: ^Previous read at => ^  chan_send\(\)
 * expect-after: ^  chan_close\(\) => chan\.c:[0-9]+$
 */
#include <goroutine.h>
#include <stdatomic.h>
#include <stdio.h>

static atomic_int sent;
static waitgroup_t wg;

static void sender(void *arg)
{
    chan_t *ch = arg;
    int v = 7;
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
    chan_close(ch);
    wg_wait(&wg);
    int v = 0;
    chan_recv(ch, &v);
    printf("%d\n", v);
    chan_free(ch);
    return 0;
}
