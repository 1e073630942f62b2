/* A goroutine's exit is not synchronised with anything (Go memory model: "the exit of a
 * goroutine is not guaranteed to happen before any event").  main waits until the
 * goroutine count drops back to 1 and then reads what it wrote: still a race. */
#include <goroutine.h>
#include <stdio.h>

static int result;

static void worker(void *arg)
{
    (void)arg;
    result = 7;
}

int main(void)
{
    go(worker, NULL);
    while (go_num_goroutine() > 1)
        go_yield();
    printf("result %d\n", result);
    return 0;
}
