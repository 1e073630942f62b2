/* Receives from a channel nobody sends on: Go's "all goroutines are asleep". */
#include <goroutine.h>

int main(void)
{
    chan_t *ch = chan_make(sizeof(int), 0);
    int v;
    chan_recv(ch, &v);
    return v;
}
