/* Memory shape: C bit-fields that share a storage unit are ONE memory location (C11
 * 3.14): writing `ready` and `error` from two goroutines is a race (each write is a
 * read-modify-write of the shared byte). */
#include <goroutine.h>
#include <stdio.h>

static struct {
    unsigned ready : 1;
    unsigned error : 1;
    unsigned code : 6;
} status;
static waitgroup_t wg;

static void set_ready(void *arg)
{
    (void)arg;
    status.ready = 1;
    wg_done(&wg);
}

static void set_error(void *arg)
{
    (void)arg;
    status.error = 1;
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 2);
    go(set_ready, NULL);
    go(set_error, NULL);
    wg_wait(&wg);
    printf("status %u %u\n", status.ready, status.error);
    return 0;
}
