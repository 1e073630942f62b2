/* localtime returns libc's one static struct tm: two goroutines converting times at once
 * overwrite each other's result (localtime_r with a struct of one's own is the fix). */
#include <goroutine.h>
#include <stdio.h>
#include <time.h>

static int years[2];
static waitgroup_t wg;

static void convert(void *arg)
{
    int id = (int)(long)arg;
    time_t t = id ? 0 : 86400L * 366 * 30;
    struct tm *tm = localtime(&t);
    years[id] = tm->tm_year;
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 2);
    go(convert, (void *)0L);
    go(convert, (void *)1L);
    wg_wait(&wg);
    printf("years %d %d\n", years[0] > 0, years[1] > 0);
    return 0;
}
