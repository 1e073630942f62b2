/* The array loop with 4-byte elements (what gcc emits for the bench's loop): two
 * goroutines read and write their halves element by element, join, and swap halves for
 * the next pass, so every granule's halves are written over the other goroutine's cell,
 * ordered only by the joins.  Nearly every store takes the one-granule memo (race.c,
 * memo1) and every load is held back and fused with the store after it: both must
 * record exactly what the slow path would, so no race.  The recurrence through `salt`
 * keeps either compiler from vectorising the loop. */
#include <goroutine.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

enum { N = 1 << 15, PASSES = 6 };

typedef struct span {
    uint32_t *a;
    int lo, hi;
    uint32_t salt;
} span;

static waitgroup_t wg;

static void sweep(void *p)
{
    span *s = p;
    uint32_t salt = s->salt;
    for (int i = s->lo; i < s->hi; i++) {
        uint32_t v = s->a[i] * 2654435761u + salt;
        s->a[i] = v;
        salt ^= v >> 3;
    }
    wg_done(&wg);
}

int main(void)
{
    uint32_t *a = calloc(N, sizeof *a);
    for (int p = 0; p < PASSES; p++) {
        span s[2];
        wg_add(&wg, 2);
        for (int w = 0; w < 2; w++) {
            int half = (w + p) & 1;
            s[w] = (span){a, half * (N / 2), half ? N : N / 2, (uint32_t)p};
            go(sweep, &s[w]);
        }
        wg_wait(&wg);
    }
    uint32_t sum = 0;
    for (int i = 0; i < N; i++)
        sum += a[i];
    printf("%u\n", sum);
    free(a);
    return 0;
}
