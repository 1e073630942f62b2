/* An unbuffered receive happens before the matching send completes, also when the send
 * is a select case: the goroutine writes `ack` before receiving; main reads `ack` as soon
 * as its select send returns. */
#include <goroutine.h>
#include <stdio.h>

static int ack;

static void receiver(void *arg)
{
    chan_t *ch = arg;
    ack = 1;
    chan_recv(ch, NULL);
}

int main(void)
{
    chan_t *ch = chan_make(sizeof(int), 0);
    go(receiver, ch);
    int v = 5;
    select_case_t cases[] = {SELECT_SEND_CASE(ch, &v)};
    if (chan_select(cases, 1, false) != 0)
        return 1;
    int seen = ack;
    return seen == 1 ? 0 : 1;
}
