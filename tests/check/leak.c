/* main returns while a goroutine is still blocked on a channel: a goroutine leak. */
#include <goroutine.h>

static chan_t *never;

static void stuck(void *arg)
{
    (void)arg;
    int v;
    chan_recv(never, &v);
}

int main(void)
{
    never = chan_make(sizeof(int), 0);
    go(stuck, NULL);
    go_yield();
    return 0;
}
