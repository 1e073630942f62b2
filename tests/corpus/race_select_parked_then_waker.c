/* A goroutine parked in a select (two receive cases) is woken by main's send on one of
 * them, then writes first; main writes after it, ordered by nothing (it polls the
 * goroutine count): a race.  The select's handoff orders only what came before it. */
#include <goroutine.h>
#include <stdio.h>

int shared; /* not static: its stores must stay */
static chan_t *chs[2];

static void selector(void *arg)
{
    (void)arg;
    int a = 0, b = 0;
    select_case_t cases[] = {SELECT_RECV_CASE(chs[0], &a), SELECT_RECV_CASE(chs[1], &b)};
    chan_select(cases, 2, false);
    shared = 1;
}

int main(void)
{
    for (int i = 0; i < 2; i++)
        chs[i] = chan_make(sizeof(int), 0);
    go(selector, NULL);
    go_yield(); /* procs=1: the select parks before the send */
    int v = 1;
    chan_send(chs[1], &v);
    while (go_num_goroutine() > 1)
        go_yield();
    shared = 2;
    printf("shared %d\n", shared);
    for (int i = 0; i < 2; i++)
        chan_free(chs[i]);
    return 0;
}
