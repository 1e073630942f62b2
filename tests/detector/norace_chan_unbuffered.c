/* An unbuffered send happens before the matching receive completes. */
#include <goroutine.h>
#include <stdio.h>

static int data;
static chan_t *ch;

static void producer(void *arg)
{
    (void)arg;
    data = 42;
    int v = 1;
    chan_send(ch, &v);
}

int main(void)
{
    ch = chan_make(sizeof(int), 0);
    go(producer, NULL);
    int v;
    chan_recv(ch, &v);
    printf("%d\n", data);
    return 0;
}
