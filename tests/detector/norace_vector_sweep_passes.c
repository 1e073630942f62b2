/* The array loop with 16-byte accesses: two goroutines sweep their halves, join, and
 * swap halves for the next pass.  Every element is read and written by both in turn,
 * ordered only by the joins; nearly every granule goes through the memo path (detector.h,
 * race_memo_apply), which must record exactly what the slow path would: no race. */
#include <goroutine.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

typedef uint64_t v2 __attribute__((vector_size(16)));
enum { N = 1 << 14, PASSES = 6 };

typedef struct span {
    v2 *a;
    int lo, hi;
    uint64_t salt;
} span;

static waitgroup_t wg;

static void sweep(void *p)
{
    span *s = p;
    for (int i = s->lo; i < s->hi; i++)
        s->a[i] = s->a[i] * 3 + (v2){s->salt, 1};
    wg_done(&wg);
}

int main(void)
{
    v2 *a = aligned_alloc(16, N * sizeof *a);
    for (int i = 0; i < N; i++)
        a[i] = (v2){(uint64_t)i, 0};
    for (int p = 0; p < PASSES; p++) {
        span s[2];
        wg_add(&wg, 2);
        for (int w = 0; w < 2; w++) {
            int half = (w + p) & 1;
            s[w] = (span){a, half * (N / 2), half ? N : N / 2, (uint64_t)p};
            go(sweep, &s[w]);
        }
        wg_wait(&wg);
    }
    uint64_t sum = 0;
    for (int i = 0; i < N; i++)
        sum += a[i][0] + a[i][1];
    printf("%llu\n", (unsigned long long)sum);
    free(a);
    return 0;
}
