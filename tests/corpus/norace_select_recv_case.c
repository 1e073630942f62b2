/* A receive performed by a select case completes after the matching send: main selects
 * over two channels, learns which producer delivered, and reads that producer's data. */
#include <goroutine.h>
#include <stdio.h>

static int data[2];
static chan_t *chs[2];

static void producer(void *arg)
{
    int i = (int)(intptr_t)arg;
    data[i] = 10 + i;
    chan_send(chs[i], &i);
}

int main(void)
{
    chs[0] = chan_make(sizeof(int), 0);
    chs[1] = chan_make(sizeof(int), 0);
    go(producer, (void *)0);
    go(producer, (void *)1);
    for (int round = 0; round < 2; round++) {
        int a = -1, b = -1;
        select_case_t cases[] = {
            SELECT_RECV_CASE(chs[0], &a),
            SELECT_RECV_CASE(chs[1], &b),
        };
        int k = chan_select(cases, 2, false);
        int who = k == 0 ? a : b;
        if (who != k || data[k] != 10 + k)
            return 1;
        chs[k] = NULL; /* a nil channel: never chosen again */
    }
    return 0;
}
