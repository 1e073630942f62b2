/* parallel: two goroutines do the same CPU-bound work.  With GOMAXPROCS(1) they share one
 * OS thread and take turns, so together they take twice as long as one of them. */
#include <goroutine.h>
#include <stdio.h>

static waitgroup_t wg;

struct work {
    uint64_t seed, result;
};

static void crunch(void *arg)
{
    struct work *w = arg;
    uint64_t x = w->seed;
    for (long i = 0; i < 40000000; i++)
        x = x * 6364136223846793005ULL + 1;
    w->result = x;
    wg_done(&wg);
}

int main(void)
{
    go_maxprocs(1);
    struct work a = {1, 0}, b = {2, 0};
    wg_add(&wg, 2);
    go(crunch, &a);
    go(crunch, &b);
    wg_wait(&wg);
    printf("checksum=%016llx\n",
           (unsigned long long)(a.result ^ b.result));
    return 0;
}
