/* Access kinds: any number of goroutines reading the same variable concurrently never
 * race (the value was written before `go`). */
#include <goroutine.h>
#include <stdio.h>

#define READERS 6

static long limit;
static long seen[READERS];
static waitgroup_t wg;

static void reader(void *arg)
{
    int r = (int)(intptr_t)arg;
    for (int i = 0; i < 5; i++) {
        seen[r] += limit;
        go_yield();
    }
    wg_done(&wg);
}

int main(void)
{
    limit = 9;
    wg_add(&wg, READERS);
    for (int r = 0; r < READERS; r++)
        go(reader, (void *)(intptr_t)r);
    long mine = limit;
    wg_wait(&wg);
    for (int r = 0; r < READERS; r++)
        if (seen[r] != 45)
            return 1;
    return mine == 9 ? 0 : 1;
}
