/* atomic_swap_int64 as a mailbox: the producer fills a heap buffer and swaps its address
 * in; the consumer swaps 0 in until it gets a non-zero address, then uses the buffer. */
#include <goroutine.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int64_t mailbox;
static waitgroup_t wg;

static void producer(void *arg)
{
    (void)arg;
    char *buf = malloc(64);
    strcpy(buf, "handed over");
    atomic_swap_int64(&mailbox, (int64_t)(intptr_t)buf);
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 1);
    go(producer, NULL);
    int64_t got;
    while ((got = atomic_swap_int64(&mailbox, 0)) == 0)
        go_yield();
    char *buf = (char *)(intptr_t)got;
    int ok = strcmp(buf, "handed over") == 0;
    free(buf);
    wg_wait(&wg);
    return ok ? 0 : 1;
}
