/* Memory shape: eight goroutines each write one byte of the same 8-byte aligned word.
 * Shadow memory must be precise to the byte: no race. */
#include <goroutine.h>
#include <stdint.h>
#include <stdio.h>

static union {
    uint64_t word;
    unsigned char bytes[8];
} cell __attribute__((aligned(8)));
static waitgroup_t wg;

static void set_byte(void *arg)
{
    int i = (int)(intptr_t)arg;
    for (int k = 0; k < 10; k++) {
        cell.bytes[i] = (unsigned char)(i + k);
        go_yield();
    }
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 8);
    for (int i = 0; i < 8; i++)
        go(set_byte, (void *)(intptr_t)i);
    wg_wait(&wg);
    return cell.word == UINT64_C(0x100f0e0d0c0b0a09) ? 0 : 1;
}
