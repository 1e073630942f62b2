/* Go memory model: the go statement that starts a goroutine happens before the goroutine's
 * execution begins.  main writes `config` before `go`, the goroutine reads it: no race. */
#include <goroutine.h>
#include <stdio.h>
#include <stdlib.h>

static int config;
static int seen;
static waitgroup_t wg;

static void reader(void *arg)
{
    (void)arg;
    seen = config;
    wg_done(&wg);
}

int main(void)
{
    config = 42;
    wg_add(&wg, 1);
    go(reader, NULL);
    wg_wait(&wg);
    if (seen != 42) {
        fprintf(stderr, "goroutine saw %d, want 42\n", seen);
        return 1;
    }
    return 0;
}
