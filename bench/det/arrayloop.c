/*
 * arrayloop.c - the detector's bread and butter: two workers sweep a 4M-element array,
 * each its own half, for 10 passes; between passes they join, and each pass the halves
 * swap owners, so every element is touched by both workers in turn, ordered only by the
 * join (race-free).  Every element access is a plain load and store the compiler
 * instruments.  Reports ns per element update.  Usage: arrayloop [elements] [passes]
 */
#include "bench.h"
#include "par.h"

#include <stdint.h>
#include <stdlib.h>

typedef struct span {
    uint32_t *a;
    long lo, hi;
    uint32_t salt;
} span;

static void *sweep(void *p)
{
    span *s = p;
    for (long i = s->lo; i < s->hi; i++)
        s->a[i] = s->a[i] * 2654435761u + s->salt;
    return NULL;
}

int main(int argc, char **argv)
{
    long n = bench_arg(argc, argv, 1, 4L << 20), passes = bench_arg(argc, argv, 2, 10);
    uint32_t *a = calloc((size_t)n, sizeof *a);
    if (!a)
        return 1;
    /* the first pass also pays for first touching the array (and the shadow), the later
     * ones show the steady cost of a check: both are reported too */
    int64_t t0 = bench_now_ns(), tp = t0, first = 0, later = INT64_MAX;
    for (long p = 0; p < passes; p++) {
        span s[2];
        for (int w = 0; w < 2; w++) {
            long half = (w + p) & 1;
            s[w] = (span){a, half * (n / 2), half ? n : n / 2, (uint32_t)p};
        }
        void *args[2] = {&s[0], &s[1]};
        par_run(2, sweep, args);
        int64_t now = bench_now_ns();
        if (p == 0)
            first = now - tp;
        else if (now - tp < later)
            later = now - tp;
        tp = now;
    }
    int64_t t1 = bench_now_ns();
    uint32_t sum = 0;
    for (long i = 0; i < n; i++)
        sum += a[i];
    char extra[128];
    snprintf(extra, sizeof extra, "impl=%s check=%u first_ms=%.2f later_ms=%.2f", PAR_IMPL, sum,
             (double)first / 1e6, passes > 1 ? (double)later / 1e6 : 0.0);
    bench_report("arrayloop", n * passes, t1 - t0, extra);
    free(a);
    return 0;
}
