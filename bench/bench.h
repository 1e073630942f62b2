/*
 * bench.h - what every benchmark program shares: a monotonic clock, argument parsing and
 * the one machine-readable result line bench/run.sh parses:
 *
 *   RESULT bench=<name> n=<operations> ns=<elapsed ns> ns_op=<ns per operation> [k=v...]
 *
 * Programs time only their measured section; wall time and peak RSS of the whole process
 * are measured from outside by bench_measure (wait4's rusage).  Header-only and free of
 * runtime calls, so the pthread and plain variants use it too.
 */
#ifndef RACEDEMO_BENCH_H
#define RACEDEMO_BENCH_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static inline int64_t bench_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* argv[i] as a positive count, or dflt when absent. */
static inline long bench_arg(int argc, char **argv, int i, long dflt)
{
    if (argc <= i)
        return dflt;
    long v = strtol(argv[i], NULL, 10);
    if (v <= 0) {
        fprintf(stderr, "bench: argument %d must be a positive count\n", i);
        exit(2);
    }
    return v;
}

/* A "Vm...:" line of /proc/self/status in KiB (e.g. "VmPTE:"), or -1.  Page tables are
 * real memory that ru_maxrss does not count. */
static inline long bench_vm_kb(const char *key)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long v = -1;
    size_t k = 0;
    while (key[k])
        k++;
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, key, k))
            v = strtol(line + k, NULL, 10);
    if (f)
        fclose(f);
    return v;
}

/* Print the result line; `extra` is appended verbatim (may be ""). */
static inline void bench_report(const char *name, long n, int64_t ns, const char *extra)
{
    printf("RESULT bench=%s n=%ld ns=%lld ns_op=%.2f%s%s\n", name, n, (long long)ns,
           (double)ns / (double)n, *extra ? " " : "", extra);
    fflush(stdout);
}

#endif
