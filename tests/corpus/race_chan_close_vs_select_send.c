/* A select's send case reads its channel, as chan_send does: the select sends into the
 * buffer, and the closer, told only by a relaxed flag (no edge), closes the channel, so
 * close and send race (in another schedule the select panics on the closed channel). */
#include <goroutine.h>
#include <stdatomic.h>
#include <stdio.h>

static atomic_int sent;
static waitgroup_t wg;

static void sender(void *arg)
{
    chan_t *ch = arg;
    int v = 5;
    select_case_t cases[] = {{.ch = ch, .dir = SELECT_SEND, .elem = &v}};
    chan_select(cases, 1, false);
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
