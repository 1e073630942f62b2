/* Descriptors as edges: a worker fills a result, then writes one byte to a pipe as its
 * "done" signal; main reads the byte, then the result.  The kernel orders the write
 * before the read, so the result is ordered too.  (main waits for a relaxed flag first,
 * which orders nothing, only so that its read does not block the only thread at
 * procs = 1.) */
#include <goroutine.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

static int result[4];
static int fds[2];
static atomic_int sent;

static void worker(void *arg)
{
    (void)arg;
    for (int i = 0; i < 4; i++)
        result[i] = i * i;
    char done = 1;
    if (write(fds[1], &done, 1) != 1)
        perror("write");
    atomic_store_explicit(&sent, 1, memory_order_relaxed);
}

int main(void)
{
    if (pipe(fds) != 0)
        return 1;
    go(worker, NULL);
    while (!atomic_load_explicit(&sent, memory_order_relaxed))
        go_yield();
    char done;
    if (read(fds[0], &done, 1) != 1)
        return 1;
    printf("result %d %d %d %d\n", result[0], result[1], result[2], result[3]);
    close(fds[0]);
    close(fds[1]);
    return 0;
}
