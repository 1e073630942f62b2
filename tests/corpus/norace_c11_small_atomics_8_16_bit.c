/* 8- and 16-bit C11 atomics synchronise like the wider ones: a release store to an
 * atomic_char publishes `part1`, a release fetch_or on an atomic_ushort publishes
 * `part2`. */
#include <goroutine.h>
#include <stdatomic.h>
#include <stdio.h>

static int part1, part2;
static atomic_char flag8;
static atomic_ushort flags16;
static waitgroup_t wg;

static void writer1(void *arg)
{
    (void)arg;
    part1 = 10;
    atomic_store_explicit(&flag8, 1, memory_order_release);
    wg_done(&wg);
}

static void writer2(void *arg)
{
    (void)arg;
    part2 = 20;
    atomic_fetch_or_explicit(&flags16, 0x100, memory_order_release);
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 2);
    go(writer1, NULL);
    go(writer2, NULL);
    while (!atomic_load_explicit(&flag8, memory_order_acquire))
        go_yield();
    while (!(atomic_load_explicit(&flags16, memory_order_acquire) & 0x100))
        go_yield();
    int sum = part1 + part2;
    wg_wait(&wg);
    return sum == 30 ? 0 : 1;
}
