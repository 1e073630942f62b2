/* A goroutine.h atomic (Go's atomic.AddInt32) and a plain increment of the same counter,
 * ordered by nothing: Go's -race reports it, so must we. */
#include <goroutine.h>
#include <stdio.h>

static int32_t counter;
static waitgroup_t wg;

static void atomic_adder(void *arg)
{
    (void)arg;
    atomic_add_int32(&counter, 1);
    wg_done(&wg);
}

static void plain_adder(void *arg)
{
    (void)arg;
    counter++;
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 2);
    go(atomic_adder, NULL);
    go(plain_adder, NULL);
    wg_wait(&wg);
    printf("counter=%d\n", counter);
    return 0;
}
