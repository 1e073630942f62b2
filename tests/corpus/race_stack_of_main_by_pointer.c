/* Memory shape: a local variable of main passed by pointer; the goroutine writes it while
 * main reads it without synchronisation.  main waits before returning so the variable
 * outlives the goroutine. */
#include <goroutine.h>
#include <stdio.h>

static waitgroup_t wg;

static void writer(void *arg)
{
    int *local = arg;
    *local = 5;
    wg_done(&wg);
}

int main(void)
{
    int local = 0;
    wg_add(&wg, 1);
    go(writer, &local);
    int seen = local;
    wg_wait(&wg);
    printf("seen %d\n", seen);
    return 0;
}
