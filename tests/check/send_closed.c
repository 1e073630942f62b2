/* Sends on a closed channel: Go's "panic: send on closed channel". */
#include <goroutine.h>

int main(void)
{
    chan_t *ch = chan_make(sizeof(int), 1);
    chan_close(ch);
    int v = 1;
    chan_send(ch, &v);
    return 0;
}
