/* Sweeps with 16-byte accesses take the detector's memo path (detector.h,
 * race_memo_apply): every granule after the first few is updated from the memo of the
 * previous one, stack id included.  The races below must still name the sweeps' own
 * lines as the previous accesses: the read sweep's for a later write, the write
 * sweep's for a later read.  The racing goroutines wait on relaxed atomics, which order
 * nothing, so each race is certain and needs no sleep.
 * expect-after: ^Previous read at => ^  sweep_read\(\)
 * expect-after: ^Previous write at => ^  sweep_write\(\)
 */
#include <goroutine.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

typedef uint64_t v2 __attribute__((vector_size(16)));
enum { N = 4096 };

static v2 *arr;
static v2 sink;
static int read_done, write_done;
static waitgroup_t wg;

static void fill(void *p)
{
    (void)p;
    for (int i = 0; i < N; i++)
        arr[i] = (v2){(uint64_t)i, 1};
    wg_done(&wg);
}

static void sweep_read(void *p)
{
    (void)p;
    v2 s = {0, 0};
    for (int i = 0; i < N; i++)
        s += arr[i];
    sink = s;
    __atomic_store_n(&read_done, 1, __ATOMIC_RELAXED);
    wg_done(&wg);
}

static void sweep_write(void *p)
{
    (void)p;
    for (int i = 0; i < N; i++)
        arr[i] = (v2){(uint64_t)i * 3, 2};
    __atomic_store_n(&write_done, 1, __ATOMIC_RELAXED);
    wg_done(&wg);
}

/* after the sweep it waits for, unordered with it */
static void poke_write(void *p)
{
    (void)p;
    while (!__atomic_load_n(&read_done, __ATOMIC_RELAXED))
        go_yield();
    arr[N / 2] = (v2){7, 7};
    wg_done(&wg);
}

static void poke_read(void *p)
{
    (void)p;
    while (!__atomic_load_n(&write_done, __ATOMIC_RELAXED))
        go_yield();
    sink = arr[N / 4 + 1];
    wg_done(&wg);
}

int main(void)
{
    arr = aligned_alloc(16, N * sizeof *arr);
    wg_add(&wg, 1);
    go(fill, NULL);
    wg_wait(&wg);
    wg_add(&wg, 2);
    go(poke_write, NULL);
    go(sweep_read, NULL);
    wg_wait(&wg);
    wg_add(&wg, 2);
    go(poke_read, NULL);
    go(sweep_write, NULL);
    wg_wait(&wg);
    printf("%llu\n", (unsigned long long)sink[0]);
    free(arr);
    return 0;
}
