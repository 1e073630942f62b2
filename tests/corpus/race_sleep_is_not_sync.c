/* Sleep creates no happens-before edge.  main sleeps "long enough" for the goroutine to
 * have written `result` and then reads it: in practice the write is done, yet the two
 * accesses are unordered and must be reported. */
#include <goroutine.h>
#include <stdio.h>

static int result;
static waitgroup_t wg;

static void worker(void *arg)
{
    (void)arg;
    result = 1;
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 1);
    go(worker, NULL);
    go_sleep_ms(20);
    int seen = result;
    wg_wait(&wg); /* after the read: keeps the worker alive, orders nothing before it */
    printf("seen %d\n", seen);
    return 0;
}
