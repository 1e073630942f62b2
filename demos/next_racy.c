/* next: c := *v; *v = c + 1, started as three goroutines on the same a.  Two of them can
 * both read the same value before either writes it back, so a ends at 3, 2 or 1. */
#include <goroutine.h>
#include <stdio.h>

static waitgroup_t wg;

static void next(int *v)
{
    int c = *v;
    *v = c + 1;
}

/* go func() { next(&a); wg.Done() }() */
static void go_next(void *v)
{
    next(v);
    wg_done(&wg);
}

int main(void)
{
    int a = 0;
    wg_add(&wg, 3);
    go(go_next, &a);
    go(go_next, &a);
    go(go_next, &a);
    wg_wait(&wg);
    printf("a=%d\n", a);
    return 0;
}
