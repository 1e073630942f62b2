/* Bulk memory: memset of a heap buffer races with a plain read of one int inside it. */
#include <goroutine.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static waitgroup_t wg;

static void clearer(void *arg)
{
    memset(arg, 0, 100 * sizeof(int));
    wg_done(&wg);
}

int main(void)
{
    int *buf = malloc(100 * sizeof *buf);
    buf[50] = 7;
    wg_add(&wg, 1);
    go(clearer, buf);
    int v = buf[50];
    wg_wait(&wg);
    printf("v %d\n", v);
    free(buf);
    return 0;
}
