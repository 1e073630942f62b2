/* _exit(0) after a race: status 66 and the summary line, nothing lost in a buffer. */
#include <goroutine.h>
#include <stdio.h>
#include <unistd.h>

static volatile int shared;
static waitgroup_t wg;

static void writer(void *arg)
{
    (void)arg;
    shared = 1;
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 1);
    go(writer, NULL);
    shared = 2;
    wg_wait(&wg);
    _exit(0);
}
