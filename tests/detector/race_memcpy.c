/* memcpy is checked as a ranged access: copying from a buffer another goroutine writes. */
#include <goroutine.h>
#include <stdio.h>
#include <string.h>

static char src[64], dst[64];
static waitgroup_t wg;

static void writer(void *arg)
{
    (void)arg;
    src[40] = 'x';
    wg_done(&wg);
}

static void copier(void *arg)
{
    size_t n = (size_t)arg;
    memcpy(dst, src, n);
    wg_done(&wg);
}

int main(int argc, char **argv)
{
    (void)argv;
    wg_add(&wg, 2);
    go(writer, NULL);
    go(copier, (void *)(size_t)(argc * 64)); /* not a constant: a real memcpy call */
    wg_wait(&wg);
    printf("%c\n", dst[40] ? dst[40] : '-');
    return 0;
}
