/* hello, as the tutorial first writes it: main starts hello() as a goroutine and returns
 * without waiting for it.  When main returns the program ends, so "hello world" may
 * never be printed. */
#include <goroutine.h>
#include <stdio.h>

static void hello(void *arg)
{
    (void)arg;
    printf("hello world\n");
}

int main(void)
{
    printf("Start\n");
    go(hello, NULL); /* go hello() */
    printf("End\n");
    return 0;
}
