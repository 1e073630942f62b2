/* A send performed by a select case is an ordinary send: it happens before the matching
 * receive completes.  The goroutine writes `payload` and sends through select (the other
 * case is a nil channel, never ready); main reads `payload` after receiving. */
#include <goroutine.h>
#include <stdio.h>

static int payload;

static void producer(void *arg)
{
    chan_t *ch = arg;
    payload = 1234;
    int v = 1;
    select_case_t cases[] = {
        SELECT_SEND_CASE(NULL, &v),
        SELECT_SEND_CASE(ch, &v),
    };
    if (chan_select(cases, 2, false) != 1)
        go_panic("select chose the nil channel");
}

int main(void)
{
    chan_t *ch = chan_make(sizeof(int), 0);
    go(producer, ch);
    int v = 0;
    chan_recv(ch, &v);
    if (v != 1 || payload != 1234)
        return 1;
    return 0;
}
