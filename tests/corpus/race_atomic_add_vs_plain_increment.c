/* Mixing atomic and plain accesses to one variable is a race: one goroutine uses
 * atomic_add_int32, the other a plain `counter++`. */
#include <goroutine.h>
#include <stdio.h>

static int32_t counter;
static waitgroup_t wg;

static void atomic_side(void *arg)
{
    (void)arg;
    atomic_add_int32(&counter, 1);
    wg_done(&wg);
}

static void plain_side(void *arg)
{
    (void)arg;
    counter++;
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 2);
    go(atomic_side, NULL);
    go(plain_side, NULL);
    wg_wait(&wg);
    printf("counter %d\n", counter);
    return 0;
}
