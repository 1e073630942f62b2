/* A hundred receivers released by one close all write `last`: the close orders main's
 * write before each of theirs, but nothing orders them with each other.  They share the
 * closer's clock by reference; each one's own progress stays private, so the second
 * writer still finds the first one's write concurrent. */
#include <goroutine.h>
#include <stdint.h>
#include <stdio.h>

enum { N = 100 };
static int last;
static chan_t *ch;
static waitgroup_t parked, finished;

static void receiver(void *arg)
{
    wg_done(&parked);
    chan_recv(ch, NULL);
    last = (int)(intptr_t)arg; /* races with the other receivers */
    wg_done(&finished);
}

int main(void)
{
    ch = chan_make(sizeof(int), 0);
    wg_add(&parked, N);
    wg_add(&finished, N);
    for (int i = 0; i < N; i++)
        go(receiver, (void *)(intptr_t)i);
    wg_wait(&parked);
    last = -1; /* ordered before every receiver's write by the close */
    chan_close(ch);
    wg_wait(&finished);
    printf("%d\n", last);
    chan_free(ch);
    return 0;
}
