/* Every Wait released by the counter reaching zero happens after all the Done calls:
 * two goroutines wait on the same WaitGroup and both read the workers' output. */
#include <goroutine.h>
#include <stdio.h>

static int out[2];
static int checks[2];
static waitgroup_t work, waiters;

static void worker(void *arg)
{
    int i = (int)(intptr_t)arg;
    out[i] = 100 + i;
    wg_done(&work);
}

static void waiter(void *arg)
{
    int i = (int)(intptr_t)arg;
    wg_wait(&work);
    checks[i] = out[0] + out[1];
    wg_done(&waiters);
}

int main(void)
{
    wg_add(&work, 2);
    wg_add(&waiters, 2);
    go(waiter, (void *)0);
    go(waiter, (void *)1);
    go(worker, (void *)0);
    go(worker, (void *)1);
    wg_wait(&waiters);
    return checks[0] == 201 && checks[1] == 201 ? 0 : 1;
}
