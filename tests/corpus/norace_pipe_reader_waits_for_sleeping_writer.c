/* A writer that sleeps before it writes the pipe main is reading: at procs = 1 nothing
 * else can run, so main sleeps until the writer's wake-up instead of blocking the only
 * thread in read(2) for good (the virtual clock jumps, as it would for a parked reader).
 * The pipe orders the result.  (Before, this hung.) */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char result[32];
static int fds[2];

static void *writer(void *arg)
{
    sleep(2);
    strcpy(result, "written after a nap");
    if (write(fds[1], "!", 1) != 1)
        perror("write");
    return arg;
}

int main(void)
{
    if (pipe(fds) != 0)
        return 1;
    pthread_t t;
    pthread_create(&t, NULL, writer, NULL);
    char c;
    if (read(fds[0], &c, 1) != 1)
        return 1;
    printf("%s\n", result);
    pthread_join(t, NULL);
    return 0;
}
