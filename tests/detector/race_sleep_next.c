/* The tutorial's time.Sleep "fix": sleeping creates no happens-before edge, so the
 * goroutines' writes and main's read still race. */
#include <goroutine.h>
#include <stdio.h>

static int a;

static void next(void *arg)
{
    int *v = arg;
    int c = *v;
    *v = c + 1;
}

int main(void)
{
    for (int i = 0; i < 3; i++)
        go(next, &a);
    go_sleep_ms(1000);
    printf("a = %d\n", a);
    return 0;
}
