/* The writer holds Lock but the reader takes no lock at all: race. */
#include <goroutine.h>
#include <stdio.h>

static int value;
static rwmutex_t rw;
static waitgroup_t wg;

static void writer(void *arg)
{
    (void)arg;
    rwmutex_lock(&rw);
    value = 9;
    rwmutex_unlock(&rw);
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 1);
    go(writer, NULL);
    int seen = value;
    wg_wait(&wg);
    printf("seen %d\n", seen);
    return 0;
}
