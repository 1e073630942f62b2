/* once_do orders the initialiser before every return, but not what callers do after it:
 * two callers that both write the initialised value afterwards race. */
#include <goroutine.h>
#include <stdio.h>

static int config;
static once_t once;
static waitgroup_t wg;

static void init_config(void *arg)
{
    (void)arg;
    config = 1;
}

static void user(void *arg)
{
    (void)arg;
    once_do(&once, init_config, NULL);
    config++;
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 2);
    go(user, NULL);
    go(user, NULL);
    wg_wait(&wg);
    printf("config %d\n", config);
    return 0;
}
