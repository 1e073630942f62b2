/* Memory shape: two goroutines write different fields of one struct (an int and a char
 * next to each other in the same 8-byte word): distinct memory locations, no race. */
#include <goroutine.h>
#include <stdio.h>

static struct {
    int count;
    char tag;
    char flag;
    short level;
} stats;
static waitgroup_t wg;

static void counter(void *arg)
{
    (void)arg;
    for (int i = 0; i < 50; i++)
        stats.count++;
    wg_done(&wg);
}

static void tagger(void *arg)
{
    (void)arg;
    stats.tag = 'x';
    stats.level = 3;
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 2);
    go(counter, NULL);
    go(tagger, NULL);
    stats.flag = 1;
    wg_wait(&wg);
    return stats.count == 50 && stats.tag == 'x' && stats.level == 3 && stats.flag ? 0 : 1;
}
