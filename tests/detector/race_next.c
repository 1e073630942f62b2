/* The tutorial's next(&a) three times in goroutines: a read-modify-write race. */
#include <goroutine.h>
#include <stdio.h>

static int a;
static waitgroup_t wg;

static void next(void *arg)
{
    int *v = arg;
    int c = *v;
    *v = c + 1;
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 3);
    go(next, &a);
    go(next, &a);
    go(next, &a);
    wg_wait(&wg);
    printf("a = %d\n", a);
    return 0;
}
