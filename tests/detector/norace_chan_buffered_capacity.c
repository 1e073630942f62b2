/* Capacity 1: the k-th receive happens before the (k+1)-th send completes, so a channel
 * used as a semaphore protects `counter`. */
#include <goroutine.h>
#include <stdio.h>

static int counter;
static chan_t *sem;
static waitgroup_t wg;

static void worker(void *arg)
{
    (void)arg;
    int tok = 0;
    chan_send(sem, &tok); /* acquire */
    counter++;
    chan_recv(sem, &tok); /* release */
    wg_done(&wg);
}

int main(void)
{
    sem = chan_make(sizeof(int), 1);
    wg_add(&wg, 4);
    for (int i = 0; i < 4; i++)
        go(worker, NULL);
    wg_wait(&wg);
    printf("%d\n", counter);
    return 0;
}
