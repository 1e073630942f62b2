/* getline grows its buffer with libc's own realloc, which no wrapper sees: the old block
 * must be forgotten as freed all the same.  A worker writes a small malloc'd line buffer,
 * then getline moves it; a goroutine told only by a relaxed flag mallocs blocks of the
 * same size until it gets the freed one (at procs = 1) and writes them.  Stale cells of
 * the worker's writes would race with those writes. */
#include <goroutine.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { SMALL = 16, TRIES = 64 };
static _Atomic(char *) old;
static waitgroup_t wg;
static char input[] = "a line much longer than sixteen bytes, so getline must grow the buffer\n";

static void reader(void *arg)
{
    (void)arg;
    size_t cap = SMALL;
    char *line = malloc(cap);
    memset(line, 'x', cap);
    char *was = line;
    FILE *f = fmemopen(input, strlen(input), "r");
    ssize_t n = getline(&line, &cap, f);
    fclose(f);
    printf("read %zd bytes, %s\n", n, line != was ? "moved" : "in place");
    atomic_store_explicit(&old, was, memory_order_relaxed);
    free(line);
    wg_done(&wg);
}

static void reuser(void *arg)
{
    (void)arg;
    char *was, *b[TRIES];
    while (!(was = atomic_load_explicit(&old, memory_order_relaxed)))
        go_yield();
    int n = 0, hit = -1;
    while (n < TRIES && hit < 0) {
        b[n] = malloc(SMALL);
        memset(b[n], 'y', SMALL);
        if (b[n++] == was)
            hit = n - 1;
    }
    printf("the old block %s\n", hit >= 0 ? "reused" : "not reused");
    while (n > 0)
        free(b[--n]);
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 2);
    go(reuser, NULL);
    go(reader, NULL);
    wg_wait(&wg);
    return 0;
}
