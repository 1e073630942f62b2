/* go_yield (runtime.Gosched) only reschedules: yielding many times before reading does
 * not order the read after another goroutine's write. */
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
    for (int i = 0; i < 10; i++)
        go_yield();
    int seen = result;
    wg_wait(&wg);
    printf("seen %d\n", seen);
    return 0;
}
