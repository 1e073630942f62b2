/* Memory shape: an unaligned 4-byte field (bytes 1..4) and an unaligned 2-byte field
 * (bytes 7..8, across a word boundary) of a packed record, written by two goroutines
 * while a third writes bytes 0, 5, 6 and 9: nothing overlaps, no race. */
#include <goroutine.h>
#include <stdint.h>
#include <stdio.h>

struct __attribute__((packed)) record {
    uint8_t kind;   /* 0 */
    uint32_t id;    /* 1..4 */
    uint8_t a, b;   /* 5, 6 */
    uint16_t len;   /* 7..8 */
    uint8_t crc;    /* 9 */
};

static struct record rec __attribute__((aligned(8)));
static waitgroup_t wg;

static void set_id(void *arg) { (void)arg; rec.id = 0xdeadbeef; wg_done(&wg); }
static void set_len(void *arg) { (void)arg; rec.len = 0x4242; wg_done(&wg); }
static void set_bytes(void *arg)
{
    (void)arg;
    rec.kind = 1;
    rec.a = 2;
    rec.b = 3;
    rec.crc = 4;
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 3);
    go(set_id, NULL);
    go(set_len, NULL);
    go(set_bytes, NULL);
    wg_wait(&wg);
    return rec.id == 0xdeadbeef && rec.len == 0x4242 && rec.kind + rec.a + rec.b + rec.crc == 10
               ? 0 : 1;
}
