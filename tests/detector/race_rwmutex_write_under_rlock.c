/* Writing under a read lock: two readers hold it together, so their writes race. */
#include <goroutine.h>
#include <stdio.h>

static int value;
static rwmutex_t rw;
static waitgroup_t wg;
static chan_t *both_in;

static void bad(void *arg)
{
    (void)arg;
    rwmutex_rlock(&rw);
    int t = 0;
    chan_send(both_in, &t); /* both readers are inside at once */
    chan_recv(both_in, &t);
    value++;
    rwmutex_runlock(&rw);
    wg_done(&wg);
}

int main(void)
{
    both_in = chan_make(sizeof(int), 2);
    wg_add(&wg, 2);
    go(bad, NULL);
    go(bad, NULL);
    wg_wait(&wg);
    printf("%d\n", value);
    return 0;
}
