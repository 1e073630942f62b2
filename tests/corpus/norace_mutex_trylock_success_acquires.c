/* A successful TryLock is a Lock: it happens after the previous Unlock.  Two goroutines
 * spin on mutex_trylock (yielding between attempts) and update a plain counter. */
#include <goroutine.h>
#include <stdio.h>

static long counter;
static mutex_t mu;
static waitgroup_t wg;

static void worker(void *arg)
{
    (void)arg;
    for (int i = 0; i < 50; i++) {
        while (!mutex_trylock(&mu))
            go_yield();
        counter++;
        mutex_unlock(&mu);
        go_yield();
    }
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 2);
    go(worker, NULL);
    go(worker, NULL);
    wg_wait(&wg);
    return counter == 100 ? 0 : 1;
}
