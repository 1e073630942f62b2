/* A counting semaphore of capacity 2 lets two goroutines into the "critical section" at
 * once: their first sends complete without any receive, so their increments are
 * unordered: race. */
#include <goroutine.h>
#include <stdio.h>

static long counter;
static chan_t *sem;
static waitgroup_t wg;

static void worker(void *arg)
{
    (void)arg;
    int token = 0;
    chan_send(sem, &token);
    counter++;
    chan_recv(sem, NULL);
    wg_done(&wg);
}

int main(void)
{
    sem = chan_make(sizeof(int), 2);
    wg_add(&wg, 2);
    go(worker, NULL);
    go(worker, NULL);
    wg_wait(&wg);
    printf("counter %ld\n", counter);
    return 0;
}
