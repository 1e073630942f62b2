/* Descriptor edges are per pipe: a worker fills a result and signals on one pipe, main
 * reads from another pipe that a helper wrote to.  Nothing orders the worker before
 * main (a relaxed flag only spaces them out), so reading the result races. */
#include <goroutine.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

static int result;
static int p1[2], p2[2];
static atomic_int sent;

static void worker(void *arg)
{
    (void)arg;
    result = 42;
    if (write(p1[1], "x", 1) != 1)
        perror("write");
    atomic_store_explicit(&sent, 1, memory_order_relaxed);
}

int main(void)
{
    if (pipe(p1) != 0 || pipe(p2) != 0 || write(p2[1], "y", 1) != 1)
        return 1;
    go(worker, NULL);
    while (!atomic_load_explicit(&sent, memory_order_relaxed))
        go_yield();
    char c;
    if (read(p2[0], &c, 1) != 1)
        return 1;
    printf("result %d\n", result);
    return 0;
}
