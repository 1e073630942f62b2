/* Unbounded recursion in a goroutine: the runtime must report a stack overflow. */
#include <goroutine.h>

static waitgroup_t wg;

static int down(int n)
{
    volatile char pad[256];
    pad[0] = (char)n;
    return down(n + 1) + pad[0];
}

static void deep(void *arg)
{
    (void)arg;
    down(0);
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 1);
    go(deep, NULL);
    wg_wait(&wg);
    return 0;
}
