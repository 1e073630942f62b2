/* wg_done without the matching wg_wait: main reads the result too early. */
#include <goroutine.h>
#include <stdio.h>

static int result;
static waitgroup_t wg;
static chan_t *started;

static void work(void *arg)
{
    (void)arg;
    int t = 0;
    chan_send(started, &t);
    result = 1;
    wg_done(&wg);
}

int main(void)
{
    started = chan_make(sizeof(int), 0);
    wg_add(&wg, 1);
    go(work, NULL);
    int t;
    chan_recv(started, &t);
    printf("%d\n", *(volatile int *)&result);
    wg_wait(&wg);
    return 0;
}
