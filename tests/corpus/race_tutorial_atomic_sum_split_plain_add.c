/* Tutorial (atomic operations): sum 1..100 split over two goroutines (1..50, 51..100)
 * that both do s += i on one shared variable: race. */
#include <goroutine.h>
#include <stdio.h>

static int32_t s;
static waitgroup_t wg;

static void add_range(void *arg)
{
    int from = (int)(intptr_t)arg;
    for (int i = from; i < from + 50; i++)
        s += i;
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 2);
    go(add_range, (void *)1);
    go(add_range, (void *)51);
    wg_wait(&wg);
    printf("s = %d\n", s);
    return 0;
}
