/* setenv before the go statements, getenv in the goroutines: the go statement orders the
 * write of the environment before every read, and readers do not race with each other. */
#include <goroutine.h>
#include <stdio.h>
#include <stdlib.h>

static waitgroup_t wg;
static int found[2];

static void reader(void *arg)
{
    int id = (int)(long)arg;
    found[id] = getenv("RACEDEMO_DEMO_MODE") != NULL;
    wg_done(&wg);
}

int main(void)
{
    setenv("RACEDEMO_DEMO_MODE", "on", 1);
    wg_add(&wg, 2);
    go(reader, (void *)0L);
    go(reader, (void *)1L);
    wg_wait(&wg);
    printf("found %d %d\n", found[0], found[1]);
    return 0;
}
