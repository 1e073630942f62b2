/*
 * spawn.c - spawn+join: start n goroutines that each call wg_done, then wg_wait for all
 * of them (Go: go f(); wg.Wait()).  Reports ns per goroutine.  Usage: spawn [n]
 */
#include "bench.h"

#include <goroutine.h>

static waitgroup_t wg;

static void child(void *arg)
{
    (void)arg;
    wg_done(&wg);
}

int main(int argc, char **argv)
{
    long n = bench_arg(argc, argv, 1, 1000000);
    int64_t t0 = bench_now_ns();
    wg_add(&wg, n);
    for (long i = 0; i < n; i++)
        go(child, NULL);
    wg_wait(&wg);
    bench_report("spawn", n, bench_now_ns() - t0, "");
    return 0;
}
