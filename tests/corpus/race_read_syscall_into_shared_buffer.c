/* unistd: a goroutine read(2)s from a pipe into a shared buffer (the kernel writes it,
 * which no instrumentation sees) while main looks at the buffer's first byte. */
#include <goroutine.h>
#include <stdio.h>
#include <unistd.h>

static char buf[16];
static int fds[2];
static waitgroup_t wg;

static void reader(void *arg)
{
    (void)arg;
    if (read(fds[0], buf, sizeof buf) < 0)
        perror("read");
    wg_done(&wg);
}

int main(void)
{
    if (pipe(fds) != 0 || write(fds[1], "ping", 4) != 4)
        return 1;
    wg_add(&wg, 1);
    go(reader, NULL);
    int first = buf[0];
    wg_wait(&wg);
    printf("first %d\n", first != 0);
    return 0;
}
