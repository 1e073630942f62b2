/* qsort moves elements around inside libc: sorting a shared array in one goroutine
 * while another sums it is a race, even though the comparator only reads. */
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
    long sum = 0;
    for (int i = 0; i < 64; i++)
        sum += a[i];
    wg_wait(&wg);
    printf("sum %ld first %d\n", sum, a[0]);
    return 0;
}
