/* hello: the tutorial's first program.  main prints Start, starts hello() as a goroutine,
 * waits for it with a WaitGroup, prints End. */
#include <goroutine.h>
#include <stdio.h>

static waitgroup_t wg;

static void hello(void *arg)
{
    (void)arg;
    printf("hello world\n");
    wg_done(&wg);
}

int main(void)
{
    printf("Start\n");
    wg_add(&wg, 1);
    go(hello, NULL);
    wg_wait(&wg);
    printf("End\n");
    return 0;
}
