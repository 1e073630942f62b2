/* order: two goroutines each print a line and call Done; main waits and prints last.
 * There is no data race, but nothing fixes which goroutine prints first: output X or Y. */
#include <goroutine.h>
#include <stdio.h>

static waitgroup_t wg;

static void first(void *arg)
{
    (void)arg;
    printf("Executing 1st goroutine\n");
    wg_done(&wg); /* defer wg.Done() */
}

static void second(void *arg)
{
    (void)arg;
    printf("Executing 2nd goroutine\n");
    wg_done(&wg); /* defer wg.Done() */
}

int main(void)
{
    wg_add(&wg, 1);
    go(first, NULL);
    wg_add(&wg, 1);
    go(second, NULL);
    wg_wait(&wg);
    printf("All goroutines finished executing\n");
    return 0;
}
