/* Closes every descriptor it may have inherited or been given (a "daemonising" habit),
 * opens a file of its own on the lowest free one, then races: the report must still
 * reach racedemo, and not the program's file. */
#include <fcntl.h>
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
    for (int fd = 0; fd < 1024; fd++)
        close(fd);
    int mine = open("mine.txt", O_WRONLY | O_CREAT | O_TRUNC, 0600);
    wg_add(&wg, 1);
    go(writer, NULL);
    shared = 2;
    wg_wait(&wg);
    return mine < 0;
}
