/* GCC/Clang __atomic builtins: __atomic_store_n(RELEASE) observed by
 * __atomic_load_n(ACQUIRE) publishes the plain writes before it. */
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
    __atomic_store_n(&ready, 1, __ATOMIC_RELEASE);
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 1);
    go(renderer, NULL);
    while (!__atomic_load_n(&ready, __ATOMIC_ACQUIRE))
        go_yield();
    int area = frame.width * frame.height;
    wg_wait(&wg);
    return area == 640 * 480 ? 0 : 1;
}
