/* Tutorial fix 1: next() with atomic_add_int32 instead of the plain read-modify-write;
 * `a` is read plainly only after wg_wait.  Always 3, no race. */
#include <goroutine.h>
#include <stdio.h>

static waitgroup_t wg;

static void next(int32_t *v)
{
    atomic_add_int32(v, 1);
}

static void go_next(void *arg)
{
    next(arg);
    wg_done(&wg);
}

int main(void)
{
    int32_t a = 0;
    wg_add(&wg, 3);
    go(go_next, &a);
    go(go_next, &a);
    go(go_next, &a);
    wg_wait(&wg);
    printf("a = %d\n", a);
    return a == 3 ? 0 : 1;
}
