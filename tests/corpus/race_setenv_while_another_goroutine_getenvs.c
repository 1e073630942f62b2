/* The environment is shared and unlocked for readers in C: one goroutine setenv()s while
 * another getenv()s (glibc may move the environment array under the reader).  Go's
 * os.Setenv takes a lock; C's does not protect getenv. */
#include <goroutine.h>
#include <stdio.h>
#include <stdlib.h>

static waitgroup_t wg;
static int found;

static void reader(void *arg)
{
    (void)arg;
    found = getenv("RACEDEMO_DEMO_MODE") != NULL;
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 1);
    go(reader, NULL);
    setenv("RACEDEMO_DEMO_MODE", "on", 1);
    wg_wait(&wg);
    printf("found %d\n", found >= 0);
    return 0;
}
