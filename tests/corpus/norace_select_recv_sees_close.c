/* A select receive case that fires because the channel was closed happens after the
 * close: the canceller writes `reason` and closes `quit`; the worker's select sees it. */
#include <goroutine.h>
#include <stdio.h>
#include <string.h>

static char reason[16];
static int observed;
static waitgroup_t wg;

static void worker(void *arg)
{
    chan_t *quit = arg;
    select_case_t cases[] = {SELECT_RECV_CASE(NULL, NULL), SELECT_RECV_CASE(quit, NULL)};
    int k = chan_select(cases, 2, false);
    if (k == 1 && !cases[1].ok)
        observed = strcmp(reason, "shutdown") == 0;
    wg_done(&wg);
}

int main(void)
{
    chan_t *quit = chan_make(sizeof(int), 0);
    wg_add(&wg, 1);
    go(worker, quit);
    strcpy(reason, "shutdown");
    chan_close(quit);
    wg_wait(&wg);
    return observed ? 0 : 1;
}
