/* Tutorial (atomic operations), fixed: the same split sum with atomic.AddInt32
 * (atomic_add_int32).  Always 5050, no race. */
#include <goroutine.h>
#include <stdio.h>

static int32_t s;
static waitgroup_t wg;

static void add_range(void *arg)
{
    int from = (int)(intptr_t)arg;
    for (int i = from; i < from + 50; i++) {
        atomic_add_int32(&s, i);
        if (i % 10 == 0)
            go_yield();
    }
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 2);
    go(add_range, (void *)1);
    go(add_range, (void *)51);
    wg_wait(&wg);
    printf("s = %d\n", s);
    return s == 5050 ? 0 : 1;
}
