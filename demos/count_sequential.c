/* count, sequential: count("sheep") then count("fish").  The tutorial's count loops
 * forever, so fish is never reached; here each count stops after 3 so the program ends. */
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
    count("sheep");
    count("fish");
    return 0;
}
