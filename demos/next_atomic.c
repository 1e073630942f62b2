/* next with sync/atomic: the read and the write of *v are one indivisible AddInt32, so
 * no goroutine can slip in between and a always ends at 3. */
#include <goroutine.h>
#include <stdio.h>

static waitgroup_t wg;

static void next(int32_t *v)
{
    atomic_add_int32(v, 1);
}

/* go func() { next(&a); wg.Done() }() */
static void go_next(void *v)
{
    next(v);
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
    printf("a=%d\n", a);
    return 0;
}
