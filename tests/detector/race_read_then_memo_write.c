/* A read that misses is held back for one step, to be fused with a write of the same
 * bytes; a write elsewhere must apply it first, also when that write takes the inline
 * one-granule memo (detector.h, race_write_memo) instead of the slow path.  Here each
 * read of `shared` is followed by a write into `out`, whose fresh granules the memo
 * fills after the first two.  The first half of `shared` is written by main before the
 * goroutines start (no race: that is where the memo warms up); the second half by the
 * writer, which the reader only waits for through a relaxed atomic (no edge), so its
 * reads there race, certainly and with no sleep.  The recurrence keeps either compiler
 * from vectorising the loop.
 * expect-after: ^Previous write at => ^  writer\(\)
 */
#include <goroutine.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

enum { N = 1024 };

static uint32_t shared[N];
static uint32_t *out;
static int written;
static waitgroup_t wg;

static void writer(void *p)
{
    (void)p;
    for (int i = N / 2; i < N; i++)
        shared[i] = (uint32_t)i * 7u;
    __atomic_store_n(&written, 1, __ATOMIC_RELAXED);
    wg_done(&wg);
}

static void reader(void *p)
{
    (void)p;
    while (!__atomic_load_n(&written, __ATOMIC_RELAXED))
        go_yield();
    uint32_t acc = 1;
    for (int i = 0; i < N; i++) {
        acc = acc * 2654435761u + shared[i];
        out[i] = acc;
    }
    wg_done(&wg);
}

int main(void)
{
    out = calloc(N, sizeof *out);
    for (int i = 0; i < N / 2; i++)
        shared[i] = (uint32_t)i;
    wg_add(&wg, 2);
    go(reader, NULL);
    go(writer, NULL);
    wg_wait(&wg);
    printf("%u\n", out[N - 1]);
    free(out);
    return 0;
}
