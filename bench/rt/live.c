/*
 * live.c - n goroutines alive at once, all parked receiving from one unbuffered channel;
 * then the channel is closed and all of them exit.  The parent (bench_measure) reads the
 * peak RSS, which is reached while all n are parked.  Reports ns per goroutine for the
 * whole life cycle, plus the time until all were parked (park_ms) and how many goroutines
 * existed at that point (live), with the resident set and page-table size at that moment
 * (rss_kb, pte_kb: page tables are memory ru_maxrss does not show).  Usage: live [n]
 */
#include "bench.h"

#include <goroutine.h>

static chan_t *ch;
static waitgroup_t parked, finished;

static void sleeper(void *arg)
{
    (void)arg;
    wg_done(&parked);
    chan_recv(ch, NULL); /* returns false once ch is closed */
    wg_done(&finished);
}

int main(int argc, char **argv)
{
    long n = bench_arg(argc, argv, 1, 1000000);
    ch = chan_make(sizeof(int), 0);
    wg_add(&parked, n);
    wg_add(&finished, n);
    int64_t t0 = bench_now_ns();
    for (long i = 0; i < n; i++)
        go(sleeper, NULL);
    wg_wait(&parked);
    int64_t t1 = bench_now_ns();
    int live = go_num_goroutine();
    long rss = bench_vm_kb("VmRSS:"), pte = bench_vm_kb("VmPTE:");
    chan_close(ch);
    wg_wait(&finished);
    int64_t t2 = bench_now_ns();
    char extra[128];
    snprintf(extra, sizeof extra, "park_ms=%.1f live=%d rss_kb=%ld pte_kb=%ld",
             (double)(t1 - t0) / 1e6, live, rss, pte);
    bench_report("live", n, t2 - t0, extra);
    chan_free(ch);
    return 0;
}
