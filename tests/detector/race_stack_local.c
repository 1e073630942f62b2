/* A goroutine writes a local of main's stack while main reads it. */
#include <goroutine.h>
#include <stdio.h>

static waitgroup_t wg;

static void bump(void *arg)
{
    int *p = arg;
    *p += 1;
    wg_done(&wg);
}

int main(void)
{
    int local = 0;
    wg_add(&wg, 1);
    go(bump, &local);
    int seen = *(volatile int *)&local;
    wg_wait(&wg);
    printf("%d %d\n", seen, local);
    return 0;
}
