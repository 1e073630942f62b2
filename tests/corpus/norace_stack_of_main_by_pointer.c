/* Memory shape: main's stack array passed by pointer to workers that each fill their own
 * half, read by main after wg_wait. */
#include <goroutine.h>
#include <stdio.h>

struct job {
    int *half;
    int n, base;
};

static waitgroup_t wg;

static void fill(void *arg)
{
    struct job *j = arg;
    for (int i = 0; i < j->n; i++)
        j->half[i] = j->base + i;
    wg_done(&wg);
}

int main(void)
{
    int local[64];
    struct job jobs[2] = {{local, 32, 0}, {local + 32, 32, 32}};
    wg_add(&wg, 2);
    go(fill, &jobs[0]);
    go(fill, &jobs[1]);
    wg_wait(&wg);
    for (int i = 0; i < 64; i++)
        if (local[i] != i)
            return 1;
    return 0;
}
