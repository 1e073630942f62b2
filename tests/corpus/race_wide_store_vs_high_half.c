/* A 16-byte store (__tsan_write16: both granules of the pair in one call) races with an
 * 8-byte read of its high half only: the pair's second granule is checked too. */
#include <goroutine.h>
#include <stdio.h>

static _Alignas(16) union {
    __int128 wide;
    long half[2];
} u;
static waitgroup_t wg;

static void store_wide(void *arg)
{
    (void)arg;
    *(volatile __int128 *)&u.wide = ((__int128)7 << 64) | 3;
    wg_done(&wg);
}

static void read_high(void *arg)
{
    long *out = arg;
    *out = *(volatile long *)&u.half[1];
    wg_done(&wg);
}

int main(void)
{
    static long seen;
    wg_add(&wg, 2);
    go(store_wide, NULL);
    go(read_high, &seen);
    wg_wait(&wg);
    printf("%ld\n", seen);
    return 0;
}
