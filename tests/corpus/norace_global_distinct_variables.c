/* Memory shape: two goroutines each write their own global; distinct objects never race. */
#include <goroutine.h>
#include <stdio.h>

long g_left, g_right;
static waitgroup_t wg;

static void left(void *arg)
{
    (void)arg;
    for (int i = 0; i < 100; i++)
        g_left += i;
    wg_done(&wg);
}

static void right(void *arg)
{
    (void)arg;
    for (int i = 0; i < 100; i++)
        g_right -= i;
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 2);
    go(left, NULL);
    go(right, NULL);
    wg_wait(&wg);
    return g_left == 4950 && g_right == -4950 ? 0 : 1;
}
