/* Go memory model: a send on a channel happens before the corresponding receive from that
 * channel completes.  The goroutine writes `msg` then sends; main reads it after receiving. */
#include <goroutine.h>
#include <stdio.h>
#include <string.h>

static char msg[32];

static void producer(void *arg)
{
    chan_t *ch = arg;
    strcpy(msg, "hello");
    int token = 1;
    chan_send(ch, &token);
}

int main(void)
{
    chan_t *ch = chan_make(sizeof(int), 0);
    go(producer, ch);
    int token;
    chan_recv(ch, &token);
    if (strcmp(msg, "hello") != 0 || token != 1) {
        fprintf(stderr, "got '%s' %d\n", msg, token);
        return 1;
    }
    return 0;
}
