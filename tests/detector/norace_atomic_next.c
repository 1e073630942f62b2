/* The atomic fix of next(&a): atomic_add_int32 orders the three increments. */
#include <goroutine.h>
#include <stdio.h>

static int32_t a;
static waitgroup_t wg;

static void next(void *arg)
{
    atomic_add_int32(arg, 1);
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 3);
    for (int i = 0; i < 3; i++)
        go(next, &a);
    wg_wait(&wg);
    printf("a = %d\n", a);
    return 0;
}
