/* The same program fixed with a mutex: no race, and a few thousand accesses per run. */
#include <goroutine.h>
#include <stdio.h>

static int a;
static mutex_t mu;
static waitgroup_t wg;

static void next(void *arg)
{
    int *v = arg;
    for (int i = 0; i < 1000; i++) {
        mutex_lock(&mu);
        int c = *v;
        *v = c + 1;
        mutex_unlock(&mu);
    }
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 4);
    for (int i = 0; i < 4; i++)
        go(next, &a);
    wg_wait(&wg);
    printf("a = %d\n", a);
    return a == 4000 ? 0 : 1;
}
