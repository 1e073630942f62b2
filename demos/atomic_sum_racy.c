/* atomic-sum: 1..100 split over two goroutines (1..50 and 51..100) that both add into
 * one s.  s += i reads s and writes it back, so concurrent additions get lost and the
 * total can fall short of 5050. */
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
        *sp->s += i;
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
