/*
 * pages.c - what memory itself costs on this machine, the floor under every benchmark that
 * touches fresh memory (spawn's G structs, the 1M-live rows): n pages written for the
 * first time, packed (4 KB apart) and spread (2 MB apart, so each needs a page-table page
 * of its own, as each parked goroutine's stack top does), then the spread pages written
 * again after the packed ones were touched (on a guest whose hypervisor keeps shadow page
 * tables, resident pages on many page-table pages are not free to touch again either).
 * No runtime calls.  Reports ns per page for the spread first touch; the others as fields:
 *   RESULT bench=pages n=<pages> ns=... ns_op=<spread first touch> dense_ns=<packed>
 *          retouch_ns=<spread again>
 * Usage: pages [n] (default 200,000: past the ~120,000 page-table pages where this
 * machine's re-touch cost jumps from 0.1 to 16 us)
 */
#include "bench.h"

#include <sys/mman.h>

/* ns per page to write one byte at the top of each of n pages `stride` apart. */
static double touch(char *p, long n, size_t stride)
{
    int64_t t0 = bench_now_ns();
    for (long i = 0; i < n; i++)
        p[(size_t)i * stride + stride - 64]++;
    return (double)(bench_now_ns() - t0) / (double)n;
}

static char *reserve(size_t len)
{
    char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    if (p == MAP_FAILED) {
        perror("bench: mmap");
        exit(1);
    }
    return p;
}

int main(int argc, char **argv)
{
    long n = bench_arg(argc, argv, 1, 200000);
    const size_t page = 4096, spread = 2u << 20;
    char *sp = reserve((size_t)n * spread), *dp = reserve((size_t)n * page);
    double first = touch(sp, n, spread);
    double dense = touch(dp, n, page);
    double again = touch(sp, n, spread);
    char extra[96];
    snprintf(extra, sizeof extra, "dense_ns=%.0f retouch_ns=%.0f", dense, again);
    bench_report("pages", n, (int64_t)(first * (double)n), extra);
    return 0;
}
