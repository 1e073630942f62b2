/* An __atomic_fetch_add and a plain write to the same variable race. */
#include <goroutine.h>
#include <stdio.h>

static long hits;
static waitgroup_t wg;

static void atomic_side(void *arg)
{
    (void)arg;
    __atomic_fetch_add(&hits, 1, __ATOMIC_SEQ_CST);
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 1);
    go(atomic_side, NULL);
    hits = 100;
    wg_wait(&wg);
    printf("hits %ld\n", hits);
    return 0;
}
