/* Go memory model: a send happens before the corresponding receive completes, buffered
 * channels included.  The producer fills a heap record, sends its pointer on a channel of
 * capacity 4 (the send does not block) and never touches it again; main reads it. */
#include <goroutine.h>
#include <stdio.h>
#include <stdlib.h>

struct record {
    int id;
    double value;
};

static void producer(void *arg)
{
    chan_t *ch = arg;
    struct record *r = malloc(sizeof *r);
    r->id = 3;
    r->value = 2.5;
    chan_send(ch, &r);
}

int main(void)
{
    chan_t *ch = chan_make(sizeof(struct record *), 4);
    go(producer, ch);
    struct record *r;
    chan_recv(ch, &r);
    int ok = r->id == 3 && r->value == 2.5;
    free(r);
    return ok ? 0 : 1;
}
