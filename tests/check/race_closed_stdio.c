/* Closes stdout and stderr first, then races: the report must not depend on them. */
#include <goroutine.h>
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
    close(1);
    close(2);
    wg_add(&wg, 1);
    go(writer, NULL);
    shared = 2;
    wg_wait(&wg);
    return 0;
}
