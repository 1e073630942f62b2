/* Tutorial (race conditions): `go next(&a)` three times, where next does c := *v;
 * *v = c + 1.  The three read-modify-writes are unordered: race.  A WaitGroup (after
 * each next) only keeps main alive until they ran. */
#include <goroutine.h>
#include <stdio.h>

static waitgroup_t wg;

static void next(int *v)
{
    int c = *v;
    *v = c + 1;
}

static void go_next(void *arg)
{
    next(arg);
    wg_done(&wg);
}

int main(void)
{
    int a = 0;
    wg_add(&wg, 3);
    go(go_next, &a);
    go(go_next, &a);
    go(go_next, &a);
    wg_wait(&wg);
    printf("a = %d\n", a);
    return 0;
}
