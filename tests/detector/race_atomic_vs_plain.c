/* An atomic store does not make a plain read of the same variable safe. */
#include <goroutine.h>
#include <stdatomic.h>
#include <stdio.h>

static _Atomic int flag;
static waitgroup_t wg;

static void setter(void *arg)
{
    (void)arg;
    atomic_store(&flag, 1);
    wg_done(&wg);
}

static void plain_reader(void *arg)
{
    int *out = arg;
    *out = *(volatile int *)&flag;
    wg_done(&wg);
}

int main(void)
{
    static int seen;
    wg_add(&wg, 2);
    go(setter, NULL);
    go(plain_reader, &seen);
    wg_wait(&wg);
    printf("%d\n", seen);
    return 0;
}
