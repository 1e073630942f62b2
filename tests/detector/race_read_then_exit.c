/* A goroutine's last read before exit(): the detector may hold a read back to fuse it
 * with a write of the same bytes (race_pend), so exit must apply it before counting the
 * races.  The writer's store is seen through a relaxed atomic, which orders nothing. */
#include <goroutine.h>
#include <stdatomic.h>
#include <stdlib.h>

static int shared;
static _Atomic int written;

static void writer(void *arg)
{
    (void)arg;
    shared = 1;
    atomic_store_explicit(&written, 1, memory_order_relaxed);
}

int main(void)
{
    go(writer, NULL);
    while (!atomic_load_explicit(&written, memory_order_relaxed))
        go_yield();
    int v = shared;
    exit(v == 1 ? 0 : 3); /* the read is main's last access: no return, no func_exit */
}
