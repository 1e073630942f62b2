/*
 * prodcons.c - buffered producer/consumer: one goroutine sends n longs into a channel of
 * capacity CAP and closes it; main ranges over it.  Reports ns per item.
 * Usage: prodcons [n]
 */
#include "bench.h"

#include <goroutine.h>

#define CAP 128

static chan_t *ch;
static long nitems;

static void producer(void *arg)
{
    (void)arg;
    for (long i = 0; i < nitems; i++)
        chan_send(ch, &i);
    chan_close(ch);
}

int main(int argc, char **argv)
{
    nitems = bench_arg(argc, argv, 1, 5000000);
    ch = chan_make(sizeof(long), CAP);
    int64_t t0 = bench_now_ns();
    go(producer, NULL);
    long v, sum = 0;
    chan_range(ch, v) sum += v;
    int64_t t1 = bench_now_ns();
    if (sum != nitems * (nitems - 1) / 2)
        go_panic("prodcons: sum %ld is wrong", sum);
    bench_report("prodcons", nitems, t1 - t0, "");
    chan_free(ch);
    return 0;
}
