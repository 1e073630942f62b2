/* count with a WaitGroup: main adds 1, the goroutine counts sheep then calls Done, and
 * wg.Wait() keeps main (and so the program) alive until it has. */
#include <goroutine.h>
#include <stdio.h>

static waitgroup_t wg;

static void count(void *thing)
{
    for (int i = 1; i <= 3; i++) {
        printf("%d %s\n", i, (char *)thing);
        go_sleep_ms(500);
    }
}

static void count_sheep(void *arg)
{
    (void)arg;
    count("sheep");
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 1);
    go(count_sheep, NULL);
    wg_wait(&wg);
    return 0;
}
