/* The mutex fix of next(&a): unlock happens before the next lock. */
#include <goroutine.h>
#include <stdio.h>

static int a;
static mutex_t mu;
static waitgroup_t wg;

static void next(void *arg)
{
    int *v = arg;
    mutex_lock(&mu);
    int c = *v;
    *v = c + 1;
    mutex_unlock(&mu);
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
