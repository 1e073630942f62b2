/* atomic-sum with atomic.AddInt32: each addition reads and writes s in one step, so
 * none is lost and s is always 5050. */
#include <goroutine.h>
#include <stdio.h>

static waitgroup_t wg;

struct span {
    int from, to;
    int32_t *s;
};

static void add(void *arg)
{
    struct span *sp = arg;
    for (int i = sp->from; i <= sp->to; i++)
        atomic_add_int32(sp->s, i);
    wg_done(&wg);
}

int main(void)
{
    int32_t s = 0;
    struct span low = {1, 50, &s};
    struct span high = {51, 100, &s};
    wg_add(&wg, 2);
    go(add, &low);
    go(add, &high);
    wg_wait(&wg);
    printf("s=%d\n", s);
    return 0;
}
