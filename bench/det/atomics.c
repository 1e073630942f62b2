/*
 * atomics.c - contended atomic adds: two workers each add 1 to one shared counter n/2
 * times with a sequentially consistent fetch_add (which -fsanitize=thread turns into
 * __tsan_atomic64_fetch_add).  Reports ns per add.  Usage: atomics [n]
 */
#include "bench.h"
#include "par.h"

#include <stdint.h>

static int64_t counter;

static void *adder(void *p)
{
    long k = *(long *)p;
    for (long i = 0; i < k; i++)
        __atomic_fetch_add(&counter, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

int main(int argc, char **argv)
{
    long n = bench_arg(argc, argv, 1, 4000000), k = n / 2;
    void *args[2] = {&k, &k};
    int64_t t0 = bench_now_ns();
    par_run(2, adder, args);
    int64_t t1 = bench_now_ns();
    if (__atomic_load_n(&counter, __ATOMIC_SEQ_CST) != 2 * k) {
        fprintf(stderr, "atomics: lost updates\n");
        return 1;
    }
    char extra[32];
    snprintf(extra, sizeof extra, "impl=%s", PAR_IMPL);
    bench_report("atomics", 2 * k, t1 - t0, extra);
    return 0;
}
