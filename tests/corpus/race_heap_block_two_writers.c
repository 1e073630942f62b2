/* Memory shape: a malloc'd block shared by pointer; two goroutines write the same word. */
#include <goroutine.h>
#include <stdio.h>
#include <stdlib.h>

static waitgroup_t wg;

static void writer(void *arg)
{
    long *block = arg;
    block[5] = go_id();
    wg_done(&wg);
}

int main(void)
{
    long *block = calloc(10, sizeof *block);
    wg_add(&wg, 2);
    go(writer, block);
    go(writer, block);
    wg_wait(&wg);
    printf("block[5] set %d\n", block[5] != 0);
    free(block);
    return 0;
}
