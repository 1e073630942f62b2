/* atomic_flag_test_and_set (seq_cst) / atomic_flag_clear as a spinlock around a plain
 * counter. */
#include <goroutine.h>
#include <stdatomic.h>
#include <stdio.h>

static atomic_flag busy = ATOMIC_FLAG_INIT;
static int counter;
static waitgroup_t wg;

static void worker(void *arg)
{
    (void)arg;
    for (int i = 0; i < 100; i++) {
        while (atomic_flag_test_and_set(&busy))
            go_yield();
        counter++;
        atomic_flag_clear(&busy);
        if (i % 8 == 0)
            go_yield();
    }
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 3);
    for (int i = 0; i < 3; i++)
        go(worker, NULL);
    wg_wait(&wg);
    return counter == 300 ? 0 : 1;
}
