/* close happens before a receive that sees the channel closed. */
#include <goroutine.h>
#include <stdio.h>

static int result;
static chan_t *done;

static void worker(void *arg)
{
    (void)arg;
    result = 7;
    chan_close(done);
}

int main(void)
{
    done = chan_make(sizeof(int), 0);
    go(worker, NULL);
    int v;
    while (chan_recv(done, &v)) {
    }
    printf("%d\n", result);
    return 0;
}
