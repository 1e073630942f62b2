/* Memory shape: an 8-byte write and a 1-byte read inside it (byte 5) overlap: race,
 * although the two accesses have different sizes and start addresses. */
#include <goroutine.h>
#include <stdint.h>
#include <stdio.h>

static union {
    uint64_t word;
    unsigned char bytes[8];
} cell __attribute__((aligned(8)));
static waitgroup_t wg;

static void wide_writer(void *arg)
{
    (void)arg;
    cell.word = UINT64_C(0x1122334455667788);
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 1);
    go(wide_writer, NULL);
    unsigned char b = cell.bytes[5];
    wg_wait(&wg);
    printf("byte %d\n", b);
    return 0;
}
