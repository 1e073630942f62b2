/* A goroutine reading a pipe that another goroutine has yet to write must not stop the
 * program: Go parks the reader on its netpoller.  At procs = 1 main reads first here, and
 * with nothing to read it lets the runnable writer run instead of blocking the only
 * thread; the writer's result is then ordered by the pipe itself.  (Before, this hung.) */
#include <goroutine.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char result[32];
static int fds[2];

static void writer(void *arg)
{
    (void)arg;
    strcpy(result, "written by the worker");
    if (write(fds[1], "!", 1) != 1)
        perror("write");
}

int main(void)
{
    if (pipe(fds) != 0)
        return 1;
    go(writer, NULL);
    char c;
    if (read(fds[0], &c, 1) != 1)
        return 1;
    printf("%s\n", result);
    return 0;
}
