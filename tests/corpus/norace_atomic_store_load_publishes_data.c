/* Go memory model (sync/atomic): if the effect of atomic A is observed by atomic B, A
 * happens before B.  The writer fills `data` and then atomic_store_int32(&ready, 1); the
 * reader spins with atomic_load_int32 and, once it sees 1, reads `data`. */
#include <goroutine.h>
#include <stdio.h>

static int data[4];
static int32_t ready;
static waitgroup_t wg;

static void writer(void *arg)
{
    (void)arg;
    for (int i = 0; i < 4; i++)
        data[i] = i + 7;
    atomic_store_int32(&ready, 1);
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 1);
    go(writer, NULL);
    while (atomic_load_int32(&ready) == 0)
        go_yield();
    int sum = data[0] + data[1] + data[2] + data[3];
    wg_wait(&wg);
    return sum == 7 + 8 + 9 + 10 ? 0 : 1;
}
