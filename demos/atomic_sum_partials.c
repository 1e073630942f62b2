/* atomic-sum without sharing: each goroutine sums into its own partial, and main adds
 * the two partials after wg.Wait(), which orders both goroutines' writes before it. */
#include <goroutine.h>
#include <stdio.h>

static waitgroup_t wg;

struct span {
    int from, to;
    int32_t partial;
};

static void add(void *arg)
{
    struct span *sp = arg;
    for (int i = sp->from; i <= sp->to; i++)
        sp->partial += i;
    wg_done(&wg);
}

int main(void)
{
    struct span low = {1, 50, 0};
    struct span high = {51, 100, 0};
    wg_add(&wg, 2);
    go(add, &low);
    go(add, &high);
    wg_wait(&wg);
    int32_t s = low.partial + high.partial;
    printf("s=%d\n", s);
    return 0;
}
