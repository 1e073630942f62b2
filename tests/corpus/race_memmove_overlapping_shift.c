/* Bulk memory: memmove shifting a shared buffer left by 4 reads bytes 4..63 and writes
 * 0..59; a goroutine writing byte 40 concurrently races with both. */
#include <goroutine.h>
#include <stdio.h>
#include <string.h>

static char line[64];
static waitgroup_t wg;

static void typist(void *arg)
{
    (void)arg;
    line[40] = '!';
    wg_done(&wg);
}

int main(void)
{
    memset(line, '.', sizeof line);
    wg_add(&wg, 1);
    go(typist, NULL);
    memmove(line, line + 4, 60);
    wg_wait(&wg);
    printf("line[0] %c\n", line[0]);
    return 0;
}
