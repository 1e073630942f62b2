/* count with both calls as goroutines: main starts them and returns at once, which ends
 * the program before either goroutine can print anything. */
#include <goroutine.h>
#include <stdio.h>

static void count(void *thing)
{
    for (int i = 1; i <= 3; i++) {
        printf("%d %s\n", i, (char *)thing);
        go_sleep_ms(500);
    }
}

int main(void)
{
    go(count, "sheep");
    go(count, "fish");
    return 0;
}
