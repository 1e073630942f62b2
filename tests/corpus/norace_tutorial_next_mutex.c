/* Tutorial fix 2: next() under a mutex.  Always 3, no race. */
#include <goroutine.h>
#include <stdio.h>

static waitgroup_t wg;
static mutex_t mu;

static void next(int *v)
{
    mutex_lock(&mu);
    int c = *v;
    *v = c + 1;
    mutex_unlock(&mu);
}

static void go_next(void *arg)
{
    next(arg);
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
    printf("a = %d\n", a);
    return a == 3 ? 0 : 1;
}
