/* The same through stdio: main reads lines with fgets from a pipe that a worker fills
 * with fprintf; at procs = 1 main's fgets lets the worker run while the pipe is empty,
 * and each line read is ordered after the worker wrote it.  (Before, this hung.) */
#include <goroutine.h>
#include <stdio.h>
#include <unistd.h>

static int produced[3];
static int fds[2];

static void producer(void *arg)
{
    (void)arg;
    FILE *out = fdopen(fds[1], "w");
    for (int i = 0; i < 3; i++) {
        produced[i] = (i + 1) * 10;
        fprintf(out, "line %d\n", i);
        fflush(out);
        go_yield();
    }
    fclose(out);
}

int main(void)
{
    if (pipe(fds) != 0)
        return 1;
    go(producer, NULL);
    FILE *in = fdopen(fds[0], "r");
    char line[32];
    int n = 0;
    while (fgets(line, sizeof line, in))
        n++;
    printf("%d lines, last value %d\n", n, produced[2]);
    fclose(in);
    return 0;
}
