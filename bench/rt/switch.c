/*
 * switch.c - context switch: two goroutines call go_yield() in a loop (Go:
 * runtime.Gosched()).  Reports ns per yield; at procs = 1 every yield is one switch
 * straight to the other goroutine.  Usage: switch [yields per goroutine]
 */
#include "bench.h"

#include <goroutine.h>

static long iters;
static waitgroup_t done;

static void yielder(void *arg)
{
    (void)arg;
    for (long i = 0; i < iters; i++)
        go_yield();
    wg_done(&done);
}

int main(int argc, char **argv)
{
    iters = bench_arg(argc, argv, 1, 5000000);
    wg_add(&done, 2);
    int64_t t0 = bench_now_ns();
    go(yielder, NULL);
    go(yielder, NULL);
    wg_wait(&done);
    bench_report("switch", 2 * iters, bench_now_ns() - t0, "");
    return 0;
}
