/* Go memory model (sync.Mutex): the n-th Unlock happens before the (n+1)-th Lock
 * returns.  Four goroutines increment a plain counter under one mutex. */
#include <goroutine.h>
#include <stdio.h>

#define WORKERS 4
#define ROUNDS 200

static long counter;
static mutex_t mu;
static waitgroup_t wg;

static void worker(void *arg)
{
    (void)arg;
    for (int i = 0; i < ROUNDS; i++) {
        mutex_lock(&mu);
        counter++;
        mutex_unlock(&mu);
        if (i % 16 == 0)
            go_yield();
    }
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, WORKERS);
    for (int i = 0; i < WORKERS; i++)
        go(worker, NULL);
    wg_wait(&wg);
    return counter == WORKERS * ROUNDS ? 0 : 1;
}
