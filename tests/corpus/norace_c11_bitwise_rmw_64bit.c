/* 64-bit atomic fetch_or / fetch_and / fetch_xor (seq_cst): each worker sets its own bit
 * after writing its slot; main waits for all bits and reads every slot. */
#include <goroutine.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#define WORKERS 6

static int slots[WORKERS];
static _Atomic uint64_t done_bits;
static _Atomic uint64_t scratch;
static waitgroup_t wg;

static void worker(void *arg)
{
    int i = (int)(intptr_t)arg;
    slots[i] = i * i;
    atomic_fetch_xor(&scratch, UINT64_C(1) << (i + 32));
    atomic_fetch_and(&scratch, ~(UINT64_C(1) << i));
    atomic_fetch_or(&done_bits, UINT64_C(1) << i);
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, WORKERS);
    for (int i = 0; i < WORKERS; i++)
        go(worker, (void *)(intptr_t)i);
    while (atomic_load(&done_bits) != (UINT64_C(1) << WORKERS) - 1)
        go_yield();
    int sum = 0;
    for (int i = 0; i < WORKERS; i++)
        sum += slots[i];
    wg_wait(&wg);
    return sum == 0 + 1 + 4 + 9 + 16 + 25 ? 0 : 1;
}
