/*
 * mutexes.c - contended nested locking: two workers each take mutex a, then b, bump a
 * shared counter and release both, n/2 times.  Every lock is a happens-before edge for
 * the detector and every second one a lock-order check (b taken while a is held).  With
 * -DBENCH_PTHREADS the mutexes are pthread mutexes (for ThreadSanitizer, and under
 * racedemo the pthreads wrappers), else goroutine.h's mutex_t.  Reports ns per pair of
 * lock/unlock.  Usage: mutexes [n]
 */
#include "bench.h"
#include "par.h"

#ifdef BENCH_PTHREADS
static pthread_mutex_t a = PTHREAD_MUTEX_INITIALIZER, b = PTHREAD_MUTEX_INITIALIZER;
#define LOCK(m) pthread_mutex_lock(&(m))
#define UNLOCK(m) pthread_mutex_unlock(&(m))
#else
static mutex_t a, b;
#define LOCK(m) mutex_lock(&(m))
#define UNLOCK(m) mutex_unlock(&(m))
#endif

static long counter;

static void *locker(void *p)
{
    long k = *(long *)p;
    for (long i = 0; i < k; i++) {
        LOCK(a);
        LOCK(b);
        counter++;
        UNLOCK(b);
        UNLOCK(a);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    long n = bench_arg(argc, argv, 1, 2000000), k = n / 2;
    void *args[2] = {&k, &k};
    int64_t t0 = bench_now_ns();
    par_run(2, locker, args);
    int64_t t1 = bench_now_ns();
    if (counter != 2 * k) {
        fprintf(stderr, "mutexes: lost updates\n");
        return 1;
    }
    char extra[32];
    snprintf(extra, sizeof extra, "impl=%s", PAR_IMPL);
    bench_report("mutexes", 2 * k, t1 - t0, extra);
    return 0;
}
