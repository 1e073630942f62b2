/* Memory shape: a global int written by two goroutines with no synchronisation. */
#include <goroutine.h>
#include <stdio.h>

int g_counter;
static waitgroup_t wg;

static void writer(void *arg)
{
    g_counter = (int)(intptr_t)arg;
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 2);
    go(writer, (void *)1);
    go(writer, (void *)2);
    wg_wait(&wg);
    printf("g_counter %d\n", g_counter > 0);
    return 0;
}
