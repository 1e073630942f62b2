/* Bulk memory: two goroutines memcpy overlapping ranges into one shared buffer; libc is
 * not instrumented, so the detector must check memcpy as ranged writes: race. */
#include <goroutine.h>
#include <stdio.h>
#include <string.h>

static char shared[64];
static waitgroup_t wg;

static void copier(void *arg)
{
    const char *src = arg;
    memcpy(shared + 8, src, 24); /* both write bytes 8..31 */
    wg_done(&wg);
}

int main(void)
{
    static const char a[24] = "aaaaaaaaaaaaaaaaaaaaaaa";
    static const char b[24] = "bbbbbbbbbbbbbbbbbbbbbbb";
    wg_add(&wg, 2);
    go(copier, (void *)a);
    go(copier, (void *)b);
    wg_wait(&wg);
    printf("first %c\n", shared[8] ? 'x' : '0');
    return 0;
}
