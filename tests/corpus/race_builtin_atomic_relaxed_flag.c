/* __atomic builtins with __ATOMIC_RELAXED on both sides order nothing: the plain frame
 * data read after observing the flag races with its write. */
#include <goroutine.h>
#include <stdio.h>

static struct {
    int width, height;
} frame;
static int ready;
static waitgroup_t wg;

static void renderer(void *arg)
{
    (void)arg;
    frame.width = 640;
    frame.height = 480;
    __atomic_store_n(&ready, 1, __ATOMIC_RELAXED);
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 1);
    go(renderer, NULL);
    while (!__atomic_load_n(&ready, __ATOMIC_RELAXED))
        go_yield();
    int area = frame.width * frame.height;
    wg_wait(&wg);
    printf("area %d\n", area);
    return 0;
}
