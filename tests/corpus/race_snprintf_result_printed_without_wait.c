/* Formatted output: a worker formats its result into a shared message with snprintf
 * (a ranged write by uninstrumented libc) while main prints the message with printf's
 * %s (a ranged read): main forgot to wait for the worker. */
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
    printf("message: %s\n", msg);
    wg_wait(&wg);
    return 0;
}
