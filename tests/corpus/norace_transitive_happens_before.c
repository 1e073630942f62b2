/* Happens-before is transitive across different primitives: A writes `data` and sends on
 * a channel; B receives and then signals a WaitGroup; C waits on it and reads `data`.
 * A -> B (channel) -> C (WaitGroup): no race, though A and C never communicate. */
#include <goroutine.h>
#include <stdio.h>

static int data;
static int seen;
static chan_t *ch;
static waitgroup_t b_done, all;

static void a(void *arg)
{
    (void)arg;
    data = 31;
    int v = 1;
    chan_send(ch, &v);
    wg_done(&all);
}

static void b(void *arg)
{
    (void)arg;
    chan_recv(ch, NULL);
    wg_done(&b_done);
    wg_done(&all);
}

static void c(void *arg)
{
    (void)arg;
    wg_wait(&b_done);
    seen = data;
    wg_done(&all);
}

int main(void)
{
    ch = chan_make(sizeof(int), 0);
    wg_add(&b_done, 1);
    wg_add(&all, 3);
    go(c, NULL);
    go(b, NULL);
    go(a, NULL);
    wg_wait(&all);
    return seen == 31 ? 0 : 1;
}
