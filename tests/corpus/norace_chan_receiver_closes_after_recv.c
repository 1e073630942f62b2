/* A send happens before the receive that takes its element completes, so a receiver may
 * close the channel (or free it) once it has received: unbuffered and buffered alike,
 * from a plain send and from a select's send case. */
#include <goroutine.h>
#include <stdio.h>

static waitgroup_t wg;

static void sender(void *arg)
{
    chan_t *ch = arg;
    int v = 1;
    chan_send(ch, &v);
    wg_done(&wg);
}

static void select_sender(void *arg)
{
    chan_t *ch = arg;
    int v = 2;
    select_case_t cases[] = {{.ch = ch, .dir = SELECT_SEND, .elem = &v}};
    chan_select(cases, 1, false);
    wg_done(&wg);
}

int main(void)
{
    int sum = 0;
    for (size_t cap = 0; cap <= 1; cap++) {
        chan_t *a = chan_make(sizeof(int), cap), *b = chan_make(sizeof(int), cap);
        wg_add(&wg, 2);
        go(sender, a);
        go(select_sender, b);
        int v;
        chan_recv(a, &v);
        sum += v;
        chan_close(a);
        chan_recv(b, &v);
        sum += v;
        chan_free(b);
        wg_wait(&wg);
        chan_free(a);
    }
    printf("%d\n", sum);
    return 0;
}
