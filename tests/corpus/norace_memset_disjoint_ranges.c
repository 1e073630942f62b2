/* Bulk memory: memsets of disjoint byte ranges of one buffer (boundaries at odd offsets
 * 13 and 27, inside words) from three goroutines: no race. */
#include <goroutine.h>
#include <stdio.h>
#include <string.h>

static unsigned char buf[40];
static waitgroup_t wg;

struct range {
    size_t lo, hi;
    int byte;
};

static void clear_range(void *arg)
{
    const struct range *r = arg;
    memset(buf + r->lo, r->byte, r->hi - r->lo);
    wg_done(&wg);
}

int main(void)
{
    static const struct range rs[3] = {{0, 13, 1}, {13, 27, 2}, {27, 40, 3}};
    wg_add(&wg, 3);
    for (int i = 0; i < 3; i++)
        go(clear_range, (void *)&rs[i]);
    wg_wait(&wg);
    return buf[12] == 1 && buf[13] == 2 && buf[26] == 2 && buf[27] == 3 && buf[39] == 3 ? 0 : 1;
}
