/* 4-byte stores granule after granule take the detector's one-granule memo (race.c,
 * memo1): the second half of a granule joins the cell of its first half when both came
 * from the same stack, and the next granule in the same state replays that.  Here one
 * first half, and only it, is stored from another function: its granule's cells equal
 * the memo's, but its stack does not, so the replay must not take it (else its bytes
 * would be blamed on store_at).  A write before the sweep, unordered with it, puts a
 * third granule in another state.  The racing goroutines wait on relaxed atomics, which
 * order nothing, so each race is certain and needs no sleep.  The stores follow a
 * multiplicative recurrence so that neither compiler vectorises the loop into 16-byte
 * accesses.
 * expect-after: ^Previous write at => ^  store_other\(\)
 * expect-after: ^Previous write at => ^  store_at\(\)
 * expect-after: ^Previous write at => ^  poke\(\)
 */
#include <goroutine.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

enum { N = 4096, ODD_ONE = 2 * 700, POKED = 2 * 1500 + 1 };

static uint32_t *arr;
static uint32_t sink;
static int poked, swept;
static waitgroup_t wg;

static __attribute__((noinline)) void store_at(uint32_t *p, uint32_t v) { *p = v; }
static __attribute__((noinline)) void store_other(uint32_t *p, uint32_t v) { *p = v; }

/* every granule's first half, then every second half, through one call site */
static void writer(void *p)
{
    (void)p;
    while (!__atomic_load_n(&poked, __ATOMIC_RELAXED))
        go_yield();
    uint32_t v = 1;
    for (int j = 0; j < N; j++) {
        int i = j < N / 2 ? 2 * j : 2 * (j - N / 2) + 1;
        v = v * 2654435761u + 1;
        if (i == ODD_ONE)
            store_other(&arr[i], v);
        else
            store_at(&arr[i], v);
    }
    __atomic_store_n(&swept, 1, __ATOMIC_RELAXED);
    wg_done(&wg);
}

static void poke(void *p)
{
    (void)p;
    arr[POKED] = 7;
    __atomic_store_n(&poked, 1, __ATOMIC_RELAXED);
    wg_done(&wg);
}

static __attribute__((noinline)) uint32_t read_other(void) { return arr[ODD_ONE]; }
static __attribute__((noinline)) uint32_t read_at(void) { return arr[2 * 900 + 1]; }

static void reader(void *p)
{
    (void)p;
    while (!__atomic_load_n(&swept, __ATOMIC_RELAXED))
        go_yield();
    sink = read_other() + read_at();
    wg_done(&wg);
}

int main(void)
{
    arr = calloc(N, sizeof *arr);
    wg_add(&wg, 3);
    go(reader, NULL);
    go(writer, NULL);
    go(poke, NULL);
    wg_wait(&wg);
    printf("%u\n", sink);
    free(arr);
    return 0;
}
