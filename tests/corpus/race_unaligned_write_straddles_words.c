/* Memory shape: an unaligned 8-byte write at offset 5 of a packed record covers bytes
 * 5..12, straddling two 8-byte words; a 1-byte read of byte 11 (in the second word)
 * overlaps it: race. */
#include <goroutine.h>
#include <stdint.h>
#include <stdio.h>

struct __attribute__((packed)) packet {
    char hdr[5];
    uint64_t seq; /* bytes 5..12 */
    char tail[3];
};

static union {
    struct packet pkt;
    unsigned char raw[16];
} buf __attribute__((aligned(8)));
static waitgroup_t wg;

static void stamp(void *arg)
{
    (void)arg;
    buf.pkt.seq = UINT64_C(0x0102030405060708);
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 1);
    go(stamp, NULL);
    unsigned char b = buf.raw[11];
    wg_wait(&wg);
    printf("byte %d\n", b);
    return 0;
}
