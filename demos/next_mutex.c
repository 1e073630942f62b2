/* next with a sync.Mutex: only the goroutine holding mu may read and write *v, so each
 * next sees the previous one's write and a always ends at 3. */
#include <goroutine.h>
#include <stdio.h>

static waitgroup_t wg;
static mutex_t mu;

static void next(int *v)
{
    mutex_lock(&mu);
    int c = *v;
    *v = c + 1;
    mutex_unlock(&mu);
}

/* go func() { next(&a); wg.Done() }() */
static void go_next(void *v)
{
    next(v);
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
    printf("a=%d\n", a);
    return 0;
}
