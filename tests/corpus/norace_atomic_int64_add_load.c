/* The 64-bit sync/atomic operations: adds from two goroutines, loads by a third while
 * they run, a final plain read after Wait. */
#include <goroutine.h>
#include <stdio.h>

static int64_t bytes;
static int64_t max_seen;
static waitgroup_t wg;

static void adder(void *arg)
{
    (void)arg;
    for (int i = 0; i < 100; i++) {
        atomic_add_int64(&bytes, 1LL << 33);
        go_yield();
    }
    wg_done(&wg);
}

static void watcher(void *arg)
{
    (void)arg;
    for (int i = 0; i < 50; i++) {
        int64_t v = atomic_load_int64(&bytes);
        if (v > max_seen)
            max_seen = v;
        go_yield();
    }
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 3);
    go(adder, NULL);
    go(adder, NULL);
    go(watcher, NULL);
    wg_wait(&wg);
    return bytes == 200LL << 33 && max_seen <= bytes ? 0 : 1;
}
