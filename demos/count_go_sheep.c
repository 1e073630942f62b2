/* count with one goroutine: go count("sheep") runs in the background while main counts
 * fish, so the two interleave. */
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
    count("fish");
    return 0;
}
