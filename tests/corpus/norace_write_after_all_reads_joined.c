/* Access kinds: two goroutines read concurrently (read-shared), both signal a WaitGroup,
 * the writer waits on it and writes: ordered after every read, no race. */
#include <goroutine.h>
#include <stdio.h>

static int value = 5;
static int seen[2];
static waitgroup_t readers, wg;

static void reader(void *arg)
{
    int r = (int)(intptr_t)arg;
    seen[r] = value;
    wg_done(&readers);
    wg_done(&wg);
}

static void writer(void *arg)
{
    (void)arg;
    wg_wait(&readers);
    value = 6;
    wg_done(&wg);
}

int main(void)
{
    wg_add(&readers, 2);
    wg_add(&wg, 3);
    go(writer, NULL);
    go(reader, (void *)0);
    go(reader, (void *)1);
    wg_wait(&wg);
    return seen[0] == 5 && seen[1] == 5 && value == 6 ? 0 : 1;
}
