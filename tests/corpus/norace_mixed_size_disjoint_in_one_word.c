/* Memory shape: accesses of different sizes that share an 8-byte word but not a byte --
 * a 4-byte write to bytes 0..3, a 2-byte write to bytes 4..5, 1-byte writes to 6 and 7 --
 * from four goroutines: no race. */
#include <goroutine.h>
#include <stdint.h>
#include <stdio.h>

static struct {
    uint32_t lo;
    uint16_t mid;
    uint8_t b6, b7;
} word __attribute__((aligned(8)));
static waitgroup_t wg;

static void w_lo(void *arg) { (void)arg; word.lo = 0xaabbccdd; wg_done(&wg); }
static void w_mid(void *arg) { (void)arg; word.mid = 0x1234; wg_done(&wg); }
static void w_b6(void *arg) { (void)arg; word.b6 = 6; wg_done(&wg); }
static void w_b7(void *arg) { (void)arg; word.b7 = 7; wg_done(&wg); }

int main(void)
{
    wg_add(&wg, 4);
    go(w_lo, NULL);
    go(w_mid, NULL);
    go(w_b6, NULL);
    go(w_b7, NULL);
    wg_wait(&wg);
    return word.lo == 0xaabbccdd && word.mid == 0x1234 && word.b6 == 6 && word.b7 == 7 ? 0 : 1;
}
