/* hello: the tutorial's first program.  main prints Start, starts hello() as a goroutine,
 * waits for it with a WaitGroup, prints End. */
#include <goroutine.h>
#include <stdio.h>

static int32_t finished;

static void hello(void *arg)
{
    (void)arg;
    printf("hello world\n");
    atomic_store_int32(&finished, 1);
}

int main(void)
{
    printf("Start\n");
    go(hello, NULL);
    while (!atomic_load_int32(&finished))
        go_yield();
    printf("End\n");
    return 0;
}
