/* qsort in a worker, the sorted array read by main only after wg_wait: ordered. */
#include <goroutine.h>
#include <stdio.h>
#include <stdlib.h>

static int a[64];
static waitgroup_t wg;

static int cmp(const void *x, const void *y)
{
    return *(const int *)x - *(const int *)y;
}

static void sorter(void *arg)
{
    (void)arg;
    qsort(a, 64, sizeof a[0], cmp);
    wg_done(&wg);
}

int main(void)
{
    for (int i = 0; i < 64; i++)
        a[i] = 64 - i;
    wg_add(&wg, 1);
    go(sorter, NULL);
    wg_wait(&wg);
    long sum = 0;
    for (int i = 0; i < 64; i++)
        sum += a[i];
    printf("sum %ld first %d\n", sum, a[0]);
    return 0;
}
