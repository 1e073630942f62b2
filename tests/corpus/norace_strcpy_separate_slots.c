/* Bulk memory: goroutines strcpy / strcat into their own slot of a shared 2-D buffer;
 * main strcmp's every slot after wg_wait. */
#include <goroutine.h>
#include <stdio.h>
#include <string.h>

#define N 4

static char names[N][12];
static waitgroup_t wg;

static void namer(void *arg)
{
    int i = (int)(intptr_t)arg;
    strcpy(names[i], "worker-");
    char digit[2] = {(char)('0' + i), 0};
    strcat(names[i], digit);
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, N);
    for (int i = 0; i < N; i++)
        go(namer, (void *)(intptr_t)i);
    wg_wait(&wg);
    return strcmp(names[0], "worker-0") == 0 && strcmp(names[3], "worker-3") == 0 ? 0 : 1;
}
