/* Go's race mode checks a WaitGroup's own use: the counter leaving zero reads the group,
 * the first Wait that blocks writes it.  Here the worker's Done releases the blocked Wait
 * and the worker at once counts new work with wg_add, which nothing orders after the
 * Wait's block (Go: "WaitGroup is reused before previous Wait has returned").
 * expect-after: ^Read at => ^  wg_add\(\)
 * expect-after: ^Previous write at => ^  wg_wait\(\)
 */
#include <goroutine.h>
#include <stdint.h>
#include <stdio.h>

enum { ROUNDS = 200 };
static waitgroup_t wgs[ROUNDS];
static chan_t *starts[ROUNDS];

static void worker(void *arg)
{
    int r = (int)(intptr_t)arg;
    waitgroup_t *wg = &wgs[r];
    chan_recv(starts[r], NULL);
    for (int i = 0; i < 8; i++)
        go_yield(); /* let main block in wg_wait (at procs = 2 most rounds) */
    wg_done(wg);
    wg_add(wg, 1); /* reuse while main may still be inside wg_wait */
    wg_done(wg);
}

int main(void)
{
    /* at procs = 1 the first round races; at procs = 2 main blocks first in nearly every
     * round, and one such round is enough */
    for (int r = 0; r < ROUNDS; r++) {
        starts[r] = chan_make(sizeof(int), 0);
        wg_add(&wgs[r], 1);
        go(worker, (void *)(intptr_t)r);
        int v = 0;
        chan_send(starts[r], &v);
        wg_wait(&wgs[r]);
    }
    printf("%d rounds\n", ROUNDS);
    return 0;
}
