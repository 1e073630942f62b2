/* Bulk memory: two goroutines memcpy into the two halves of one buffer (the halves meet
 * inside an 8-byte word, at offset 20): ranged writes that do not overlap do not race. */
#include <goroutine.h>
#include <stdio.h>
#include <string.h>

static char shared[40];
static waitgroup_t wg;

struct part {
    size_t off;
    char fill;
};

static void copier(void *arg)
{
    const struct part *p = arg;
    char src[20];
    memset(src, p->fill, sizeof src);
    memcpy(shared + p->off, src, sizeof src);
    wg_done(&wg);
}

int main(void)
{
    static const struct part parts[2] = {{0, 'L'}, {20, 'R'}};
    wg_add(&wg, 2);
    go(copier, (void *)&parts[0]);
    go(copier, (void *)&parts[1]);
    wg_wait(&wg);
    return shared[0] == 'L' && shared[19] == 'L' && shared[20] == 'R' && shared[39] == 'R' ? 0 : 1;
}
