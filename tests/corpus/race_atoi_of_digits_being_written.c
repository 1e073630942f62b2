/* Number parsing: main parses a buffer with atoi (libc reads it) while a goroutine is
 * still writing the digits into it with plain stores. */
#include <goroutine.h>
#include <stdio.h>
#include <stdlib.h>

static char digits[8] = "0";
static waitgroup_t wg;

static void writer(void *arg)
{
    (void)arg;
    digits[0] = '4';
    digits[1] = '2';
    digits[2] = 0;
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 1);
    go(writer, NULL);
    int v = atoi(digits);
    wg_wait(&wg);
    printf("parsed %d\n", v >= 0);
    return 0;
}
