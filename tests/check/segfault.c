/* A nil-pointer write in a goroutine. */
#include <goroutine.h>
#include <stddef.h>

static waitgroup_t wg;

static void crash(void *arg)
{
    int *volatile p = arg;
    *p = 1;
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 1);
    go(crash, NULL);
    wg_wait(&wg);
    return 0;
}
