/* A 16-byte store (__tsan_write16), then a send; the receiver reads the high half after
 * the receive: ordered, no race. */
#include <goroutine.h>
#include <stdio.h>

static _Alignas(16) union {
    __int128 wide;
    long half[2];
} u;
static chan_t *done;

static void store_wide(void *arg)
{
    (void)arg;
    *(volatile __int128 *)&u.wide = ((__int128)7 << 64) | 3;
    int one = 1;
    chan_send(done, &one);
}

int main(void)
{
    done = chan_make(sizeof(int), 0);
    go(store_wide, NULL);
    int v;
    chan_recv(done, &v);
    printf("%ld\n", *(volatile long *)&u.half[1]);
    return 0;
}
