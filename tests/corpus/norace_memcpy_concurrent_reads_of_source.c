/* Bulk memory: two goroutines memcpy FROM the same source at the same time into their
 * own buffers: read-read, no race. */
#include <goroutine.h>
#include <stdio.h>
#include <string.h>

static char source[48];
static char copies[2][48];
static waitgroup_t wg;

static void reader(void *arg)
{
    int i = (int)(intptr_t)arg;
    memcpy(copies[i], source, sizeof source);
    wg_done(&wg);
}

int main(void)
{
    memset(source, 's', sizeof source);
    wg_add(&wg, 2);
    go(reader, (void *)0);
    go(reader, (void *)1);
    wg_wait(&wg);
    return memcmp(copies[0], source, 48) == 0 && memcmp(copies[1], source, 48) == 0 ? 0 : 1;
}
