/* An atomic orders only through the variable it touches: the writer publishes through
 * `flag_a`, the reader polls `flag_b` (set by a bystander) and then reads `data`: race. */
#include <goroutine.h>
#include <stdio.h>

static int data;
static int32_t flag_a, flag_b;
static waitgroup_t wg;

static void writer(void *arg)
{
    (void)arg;
    data = 11;
    atomic_store_int32(&flag_a, 1);
    wg_done(&wg);
}

static void bystander(void *arg)
{
    (void)arg;
    atomic_store_int32(&flag_b, 1);
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 2);
    go(writer, NULL);
    go(bystander, NULL);
    while (atomic_load_int32(&flag_b) == 0)
        go_yield();
    int seen = data;
    wg_wait(&wg);
    printf("seen %d\n", seen);
    return 0;
}
