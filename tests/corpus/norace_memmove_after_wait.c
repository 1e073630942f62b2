/* Bulk memory: workers fill a shared buffer; main memmoves inside it only after wg_wait,
 * so the ranged read and write are ordered after every worker write. */
#include <goroutine.h>
#include <stdio.h>
#include <string.h>

static char line[64];
static waitgroup_t wg;

static void fill(void *arg)
{
    int half = (int)(intptr_t)arg;
    memset(line + 32 * half, 'a' + half, 32);
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 2);
    go(fill, (void *)0);
    go(fill, (void *)1);
    wg_wait(&wg);
    memmove(line, line + 30, 34);
    return line[0] == 'a' && line[1] == 'a' && line[2] == 'b' && line[33] == 'b' ? 0 : 1;
}
