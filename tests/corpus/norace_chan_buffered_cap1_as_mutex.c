/* A channel of capacity 1 used as a mutex (send = lock, receive = unlock): by the k-th
 * receive / (k+C)-th send rule each critical section happens before the next one, so
 * eight goroutines incrementing a plain counter do not race. */
#include <goroutine.h>
#include <stdio.h>

#define WORKERS 8
#define ROUNDS 100

static long counter;
static chan_t *sem;
static waitgroup_t wg;

static void worker(void *arg)
{
    (void)arg;
    int token = 0;
    for (int i = 0; i < ROUNDS; i++) {
        chan_send(sem, &token);
        counter++;
        chan_recv(sem, NULL);
    }
    wg_done(&wg);
}

int main(void)
{
    sem = chan_make(sizeof(int), 1);
    wg_add(&wg, WORKERS);
    for (int i = 0; i < WORKERS; i++)
        go(worker, NULL);
    wg_wait(&wg);
    if (counter != WORKERS * ROUNDS) {
        fprintf(stderr, "counter %ld\n", counter);
        return 1;
    }
    return 0;
}
