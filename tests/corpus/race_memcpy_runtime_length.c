/* Bulk memory with a length known only at run time (so every compiler emits a real
 * memcpy call): a goroutine copies a message of strlen(msg) + 1 bytes into a shared
 * buffer while main reads a byte inside that range: race. */
#include <goroutine.h>
#include <stdio.h>
#include <string.h>

static char inbox[64];
static waitgroup_t wg;

static void deliver(void *arg)
{
    const char *msg = arg;
    memcpy(inbox, msg, strlen(msg) + 1);
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 1);
    go(deliver, (void *)"a message of some length");
    char c = inbox[10];
    wg_wait(&wg);
    printf("c %d\n", c);
    return 0;
}
