/* Memory shape: goroutine i writes only element i of a shared int array (4-byte elements,
 * two per 8-byte word): no race. */
#include <goroutine.h>
#include <stdio.h>

#define N 16

static int squares[N];
static waitgroup_t wg;

static void square(void *arg)
{
    int i = (int)(intptr_t)arg;
    squares[i] = i * i;
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, N);
    for (int i = 0; i < N; i++)
        go(square, (void *)(intptr_t)i);
    wg_wait(&wg);
    for (int i = 0; i < N; i++)
        if (squares[i] != i * i)
            return 1;
    return 0;
}
