/* Hangs under some seeds, races under the others: with seeds 1.. the runs of seeds 2, 4
 * and 5 time out and the rest race, so a check stops at seed 5 (its third timeout) --
 * however the runs' timings fall with several jobs. */
#include <goroutine.h>
#include <stdio.h>
#include <stdlib.h>

static int a;
static waitgroup_t wg;

static void next(void *arg)
{
    int *v = arg;
    *v = *v + 1;
    wg_done(&wg);
}

int main(void)
{
    const char *s = getenv("RACEDEMO_SEED");
    unsigned long seed = s ? strtoul(s, NULL, 10) : 0;
    if (seed % 8 == 2 || seed % 8 == 4 || seed % 8 == 5) {
        volatile unsigned long n = 0;
        for (;;)
            n++;
    }
    wg_add(&wg, 2);
    go(next, &a);
    go(next, &a);
    wg_wait(&wg);
    printf("a = %d\n", a);
    return 0;
}
