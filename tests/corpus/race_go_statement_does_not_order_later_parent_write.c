/* The go statement orders only what the parent did BEFORE it: a write the parent makes
 * after `go` is concurrent with the child's read (race, whatever the schedule). */
#include <goroutine.h>
#include <stdio.h>

static int config;
static int seen;
static waitgroup_t wg;

static void reader(void *arg)
{
    (void)arg;
    seen = config;
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 1);
    go(reader, NULL);
    config = 42;
    wg_wait(&wg);
    printf("seen %d\n", seen != 0);
    return 0;
}
