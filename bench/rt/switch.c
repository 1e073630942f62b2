/*
 * switch.c - context switch: two goroutines per proc call go_yield() in a loop (Go:
 * runtime.Gosched(), two per P), so that every yield has another goroutine to switch to
 * (with one per proc a yield finds nothing else to run and returns at once).  Reports
 * ns per yield: wall time over all yields.  At procs = 1 every yield is one switch
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
    int workers = 2 * go_maxprocs(0);
    wg_add(&done, workers);
    int64_t t0 = bench_now_ns();
    for (int i = 0; i < workers; i++)
        go(yielder, NULL);
    wg_wait(&done);
    bench_report("switch", workers * iters, bench_now_ns() - t0, "");
    return 0;
}
