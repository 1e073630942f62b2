/* The same with the sleep on the other side: the goroutine sleeps so that main's write
 * "surely" came first, then reads.  Still unordered: race. */
#include <goroutine.h>
#include <stdio.h>

static int config;
static int seen;
static waitgroup_t wg;

static void reader(void *arg)
{
    (void)arg;
    go_sleep_ms(20);
    seen = config;
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 1);
    go(reader, NULL);
    config = 8;
    wg_wait(&wg);
    printf("seen %d\n", seen);
    return 0;
}
