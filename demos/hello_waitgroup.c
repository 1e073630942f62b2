/* hello with a WaitGroup: main adds 1 before starting hello(), hello() calls Done at its
 * end, and main waits, so "hello world" is always printed before End. */
#include <goroutine.h>
#include <stdio.h>

static waitgroup_t wg;

static void hello(void *arg)
{
    (void)arg;
    printf("hello world\n");
    wg_done(&wg); /* wg.Done() */
}

int main(void)
{
    printf("Start\n");
    wg_add(&wg, 1);  /* wg.Add(1) */
    go(hello, NULL); /* go hello() */
    wg_wait(&wg);    /* wg.Wait() */
    printf("End\n");
    return 0;
}
