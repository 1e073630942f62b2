/* Readers holding RLock together only read: read-read is never a race, and main's write
 * before `go` orders the initial value. */
#include <goroutine.h>
#include <stdio.h>

static double prices[16];
static double totals[2];
static rwmutex_t rw;
static waitgroup_t both_in, wg;

static void reader(void *arg)
{
    int r = (int)(intptr_t)arg;
    rwmutex_rlock(&rw);
    wg_done(&both_in);
    wg_wait(&both_in); /* both readers hold the read lock at the same time */
    double t = 0;
    for (int i = 0; i < 16; i++)
        t += prices[i];
    rwmutex_runlock(&rw);
    totals[r] = t;
    wg_done(&wg);
}

int main(void)
{
    for (int i = 0; i < 16; i++)
        prices[i] = 0.5 * i;
    wg_add(&both_in, 2);
    wg_add(&wg, 2);
    go(reader, (void *)0);
    go(reader, (void *)1);
    wg_wait(&wg);
    return totals[0] == 60.0 && totals[1] == 60.0 ? 0 : 1;
}
