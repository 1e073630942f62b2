/* Memory shape + atomics: a 64-bit atomic store covers all eight bytes, so a plain 1-byte
 * read of byte 6 (in the upper half) in another goroutine races with it. */
#include <goroutine.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

static _Atomic uint64_t stamp;
static waitgroup_t wg;

static void stamper(void *arg)
{
    atomic_store_explicit(&stamp, (uint64_t)(uintptr_t)arg << 48, memory_order_release);
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 1);
    go(stamper, (void *)(uintptr_t)0x1234);
    unsigned char b = ((volatile unsigned char *)&stamp)[6];
    wg_wait(&wg);
    printf("byte %d\n", b);
    return 0;
}
