/* Writing to stdout orders nothing by itself (unlike Go's race mode, which orders every
 * write(2) before every later read(2) of the process): a worker fills a result and
 * prints, main reads the result after a relaxed flag and reads stdin-less nothing.  The
 * race stays visible. */
#include <goroutine.h>
#include <stdatomic.h>
#include <stdio.h>

static int result;
static atomic_int done;

static void worker(void *arg)
{
    (void)arg;
    result = 42;
    printf("worker done\n");
    fflush(stdout);
    atomic_store_explicit(&done, 1, memory_order_relaxed);
}

int main(void)
{
    go(worker, NULL);
    while (!atomic_load_explicit(&done, memory_order_relaxed))
        go_yield();
    printf("result %d\n", result);
    return 0;
}
