/* Bulk memory: strcpy into a shared name buffer (a ranged write done by uninstrumented
 * libc) races with a plain read of one of its characters in another goroutine. */
#include <goroutine.h>
#include <stdio.h>
#include <string.h>

static char name[32] = "initial";
static waitgroup_t wg;

static void renamer(void *arg)
{
    strcpy(name, arg);
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 1);
    go(renamer, (void *)"renamed-by-goroutine");
    char c = name[3];
    wg_wait(&wg);
    printf("c %d\n", c != 1);
    return 0;
}
