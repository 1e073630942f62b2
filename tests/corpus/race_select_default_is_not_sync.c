/* A select that takes its default case communicated nothing and orders nothing: main
 * polls an empty channel, gives up, and reads `data` the worker writes: race. */
#include <goroutine.h>
#include <stdio.h>

static int data;
static waitgroup_t wg;

static void worker(void *arg)
{
    (void)arg;
    data = 3;
    wg_done(&wg);
}

int main(void)
{
    chan_t *never = chan_make(sizeof(int), 1);
    wg_add(&wg, 1);
    go(worker, NULL);
    for (int i = 0; i < 3; i++) {
        select_case_t cases[] = {SELECT_RECV_CASE(never, NULL)};
        if (chan_select(cases, 1, true) != -1)
            return 1;
        go_yield();
    }
    int seen = data;
    wg_wait(&wg);
    printf("seen %d\n", seen);
    return 0;
}
