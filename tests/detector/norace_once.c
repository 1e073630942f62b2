/* once's function happens before every once_do returns. */
#include <goroutine.h>
#include <stdio.h>

static once_t once;
static int config;
static waitgroup_t wg;

static void init_config(void *arg)
{
    (void)arg;
    config = 99;
}

static void user(void *arg)
{
    int *out = arg;
    once_do(&once, init_config, NULL);
    *out = config;
    wg_done(&wg);
}

int main(void)
{
    static int seen[4];
    wg_add(&wg, 4);
    for (int i = 0; i < 4; i++)
        go(user, &seen[i]);
    wg_wait(&wg);
    printf("%d %d\n", seen[0], seen[3]);
    return 0;
}
