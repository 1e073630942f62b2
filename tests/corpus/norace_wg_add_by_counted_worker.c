/* A worker that is itself counted may add work for a child before starting it: the
 * counter is above zero then, so the Add does not race with main's Wait (Go's rule: only
 * the counter leaving zero must be ordered before Wait). */
#include <goroutine.h>
#include <stdio.h>

static waitgroup_t wg;
static int done[3];

static void child(void *arg)
{
    done[(int)(intptr_t)arg] = 1;
    wg_done(&wg);
}

static void parent(void *arg)
{
    (void)arg;
    for (int i = 1; i < 3; i++) {
        wg_add(&wg, 1);
        go(child, (void *)(intptr_t)i);
    }
    done[0] = 1;
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 1);
    go(parent, NULL);
    wg_wait(&wg);
    printf("%d\n", done[0] + done[1] + done[2]);
    return 0;
}
