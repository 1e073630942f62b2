/* A descriptor's number is reused once it is closed, and its edges go with it: a worker
 * fills a result and writes a file, then closes it; main opens another file (which gets
 * the same number) and reads it.  Nothing orders the worker before main (a relaxed flag
 * only spaces them out), so reading the result races. */
#include <goroutine.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int result;
static atomic_int closed;
static char a_path[] = "/tmp/racedemo-fdreuse-a-XXXXXX", b_path[] = "/tmp/racedemo-fdreuse-b-XXXXXX";

static void worker(void *arg)
{
    (void)arg;
    result = 42;
    FILE *f = fopen(a_path, "w");
    if (f) {
        fputs("done\n", f);
        fclose(f);
    }
    atomic_store_explicit(&closed, 1, memory_order_relaxed);
}

int main(void)
{
    int a = mkstemp(a_path), b = mkstemp(b_path);
    if (a < 0 || b < 0 || write(b, "other\n", 6) != 6)
        return 1;
    close(a);
    close(b);
    go(worker, NULL);
    while (!atomic_load_explicit(&closed, memory_order_relaxed))
        go_yield();
    FILE *f = fopen(b_path, "r");
    char line[16];
    if (!f || !fgets(line, sizeof line, f))
        return 1;
    printf("result %d\n", result);
    fclose(f);
    unlink(a_path);
    unlink(b_path);
    return 0;
}
