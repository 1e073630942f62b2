/* RLock does not exclude other readers, and RUnlock -> RLock is not an edge: two
 * goroutines that WRITE while holding only the read lock race, in whichever order they
 * run. */
#include <goroutine.h>
#include <stdio.h>

static long hits;
static rwmutex_t rw;
static waitgroup_t wg;

static void bad_reader(void *arg)
{
    (void)arg;
    rwmutex_rlock(&rw);
    hits++;
    rwmutex_runlock(&rw);
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 2);
    go(bad_reader, NULL);
    go(bad_reader, NULL);
    wg_wait(&wg);
    printf("hits %ld\n", hits);
    return 0;
}
