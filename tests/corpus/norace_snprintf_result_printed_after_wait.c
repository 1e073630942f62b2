/* Formatted output: the worker's snprintf into the shared message happens before
 * wg_wait returns, so main's printf %s of it afterwards is ordered. */
#include <goroutine.h>
#include <stdio.h>

static char msg[64] = "pending";
static waitgroup_t wg;

static void worker(void *arg)
{
    snprintf(msg, sizeof msg, "result=%d", *(int *)arg * 2);
    wg_done(&wg);
}

int main(void)
{
    int x = 21;
    wg_add(&wg, 1);
    go(worker, &x);
    wg_wait(&wg);
    printf("message: %s\n", msg);
    return 0;
}
