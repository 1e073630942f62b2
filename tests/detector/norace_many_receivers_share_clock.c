/* A hundred goroutines counted in by a WaitGroup, parked on one channel and released by
 * its close, twice over: the receivers share the closer's big clock by reference (the
 * detector's copy-on-write clocks) and every edge still holds: the wait orders their
 * first writes before main's reads, the close orders main's writes before theirs, the
 * second wait orders everything before the next wave. */
#include <goroutine.h>
#include <stdint.h>
#include <stdio.h>

enum { N = 100 };
static int data[N], config, round_;
static chan_t *ch;
static waitgroup_t parked, finished;

static void receiver(void *arg)
{
    int i = (int)(intptr_t)arg;
    data[i] = round_ * 1000 + i; /* after go: round_ was written before it */
    wg_done(&parked);
    chan_recv(ch, NULL);
    data[i] += config; /* after close: main read data[i] and wrote config before it */
    wg_done(&finished);
}

static long wave(int r)
{
    round_ = r;
    ch = chan_make(sizeof(int), 0);
    wg_add(&parked, N);
    wg_add(&finished, N);
    for (int i = 0; i < N; i++)
        go(receiver, (void *)(intptr_t)i);
    wg_wait(&parked);
    long sum = 0;
    for (int i = 0; i < N; i++)
        sum += data[i];
    config = r + 1;
    chan_close(ch);
    wg_wait(&finished);
    for (int i = 0; i < N; i++)
        sum += data[i];
    chan_free(ch);
    return sum;
}

int main(void)
{
    long sum = 0;
    for (int r = 0; r < 3; r++)
        sum += wave(r);
    printf("%ld\n", sum);
    return 0;
}
