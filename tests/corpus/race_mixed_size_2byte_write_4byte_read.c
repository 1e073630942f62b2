/* Memory shape: a 2-byte write to bytes 2..3 of a word and a 4-byte read of bytes 0..3
 * overlap: race. */
#include <goroutine.h>
#include <stdint.h>
#include <stdio.h>

static union {
    uint32_t whole;
    uint16_t halves[2];
} reg __attribute__((aligned(8)));
static waitgroup_t wg;

static void half_writer(void *arg)
{
    (void)arg;
    reg.halves[1] = 0xbeef;
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 1);
    go(half_writer, NULL);
    uint32_t v = reg.whole;
    wg_wait(&wg);
    printf("v %d\n", v != 1);
    return 0;
}
