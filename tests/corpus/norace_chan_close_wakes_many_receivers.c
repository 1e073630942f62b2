/* One close happens before every receive that observes it: four goroutines blocked on
 * the same channel all read the configuration written before the close. */
#include <goroutine.h>
#include <stdio.h>

#define READERS 4

static int config[4];
static int seen[READERS];
static chan_t *ready;
static waitgroup_t wg;

static void reader(void *arg)
{
    int i = (int)(intptr_t)arg;
    chan_recv(ready, NULL);
    seen[i] = config[0] + config[1] + config[2] + config[3];
    wg_done(&wg);
}

int main(void)
{
    ready = chan_make(sizeof(int), 0);
    wg_add(&wg, READERS);
    for (int i = 0; i < READERS; i++)
        go(reader, (void *)(intptr_t)i);
    for (int i = 0; i < 4; i++)
        config[i] = i + 1;
    chan_close(ready);
    wg_wait(&wg);
    for (int i = 0; i < READERS; i++)
        if (seen[i] != 10)
            return 1;
    return 0;
}
