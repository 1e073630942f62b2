/*
 * mutex.c - contended mutex: WORKERS goroutines each add to one counter n/WORKERS times
 * under one mutex_t (Go: sync.Mutex).  Reports ns per lock+increment+unlock.  At procs = 1
 * nothing preempts a goroutine inside its loop, so this measures the uncontended path;
 * at procs = 2 the lock is really fought over.  Usage: mutex [n]
 */
#include "bench.h"

#include <goroutine.h>

#define WORKERS 4

static mutex_t mu;
static long counter, per_worker;
static waitgroup_t wg;

static void worker(void *arg)
{
    (void)arg;
    for (long i = 0; i < per_worker; i++) {
        mutex_lock(&mu);
        counter++;
        mutex_unlock(&mu);
    }
    wg_done(&wg);
}

int main(int argc, char **argv)
{
    long n = bench_arg(argc, argv, 1, 4000000);
    per_worker = n / WORKERS;
    int64_t t0 = bench_now_ns();
    wg_add(&wg, WORKERS);
    for (int i = 0; i < WORKERS; i++)
        go(worker, NULL);
    wg_wait(&wg);
    int64_t t1 = bench_now_ns();
    if (counter != per_worker * WORKERS)
        go_panic("mutex: counter %ld, want %ld", counter, per_worker * WORKERS);
    bench_report("mutex", per_worker * WORKERS, t1 - t0, "");
    return 0;
}
