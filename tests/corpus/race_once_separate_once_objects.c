/* Two different once_t objects are two different locks: each initialiser runs, and their
 * writes to the same table race. */
#include <goroutine.h>
#include <stdio.h>

static int table[4];
static once_t once_a, once_b;
static waitgroup_t wg;

static void init_table(void *arg)
{
    int v = (int)(intptr_t)arg;
    for (int i = 0; i < 4; i++)
        table[i] = v;
}

static void user(void *arg)
{
    once_t *once = arg;
    once_do(once, init_table, (void *)(intptr_t)(once == &once_a ? 1 : 2));
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 2);
    go(user, &once_a);
    go(user, &once_b);
    wg_wait(&wg);
    printf("table %d\n", table[0] > 0);
    return 0;
}
