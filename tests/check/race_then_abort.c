/* Races, then ends with: abort();  The race must still be reported. */
#include <goroutine.h>
#include <stdlib.h>
#include <unistd.h>

int shared; /* not static: the compiler must keep every store */
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
    abort();
    return shared;
}
