/*
 * pingpong.c - unbuffered channel ping-pong: main sends on `ping`, an echo goroutine
 * answers on `pong`, n round trips.  Reports ns per round trip (two channel handoffs, two
 * switches at procs = 1).  Usage: pingpong [n]
 */
#include "bench.h"

#include <goroutine.h>

static chan_t *ping, *pong;

static void echo(void *arg)
{
    (void)arg;
    long v;
    while (chan_recv(ping, &v))
        chan_send(pong, &v);
}

int main(int argc, char **argv)
{
    long n = bench_arg(argc, argv, 1, 1000000);
    ping = chan_make(sizeof(long), 0);
    pong = chan_make(sizeof(long), 0);
    go(echo, NULL);
    int64_t t0 = bench_now_ns();
    for (long i = 0; i < n; i++) {
        long v = i;
        chan_send(ping, &v);
        chan_recv(pong, &v);
        if (v != i)
            go_panic("pingpong: got %ld, want %ld", v, i);
    }
    int64_t t1 = bench_now_ns();
    chan_close(ping);
    bench_report("pingpong", n, t1 - t0, "");
    return 0;
}
