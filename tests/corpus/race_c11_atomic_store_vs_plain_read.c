/* An atomic store and a plain (non-atomic) read of the same object race: the reader
 * bypasses <stdatomic.h> by reading through a plain int pointer. */
#include <goroutine.h>
#include <stdatomic.h>
#include <stdio.h>

static atomic_int level;
static waitgroup_t wg;

static void setter(void *arg)
{
    (void)arg;
    atomic_store(&level, 5);
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 1);
    go(setter, NULL);
    int seen = *(int *)&level;
    wg_wait(&wg);
    printf("seen %d\n", seen);
    return 0;
}
