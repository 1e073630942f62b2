/* RWMutex: readers read under rlock, the writer writes under lock. */
#include <goroutine.h>
#include <stdio.h>

static int value;
static rwmutex_t rw;
static waitgroup_t wg;

static void reader(void *arg)
{
    long *out = arg;
    rwmutex_rlock(&rw);
    *out = value;
    rwmutex_runlock(&rw);
    wg_done(&wg);
}

static void writer(void *arg)
{
    (void)arg;
    rwmutex_lock(&rw);
    value++;
    rwmutex_unlock(&rw);
    wg_done(&wg);
}

int main(void)
{
    static long seen[4];
    wg_add(&wg, 6);
    for (int i = 0; i < 4; i++)
        go(reader, &seen[i]);
    go(writer, NULL);
    go(writer, NULL);
    wg_wait(&wg);
    printf("%d\n", value);
    return 0;
}
