/* Memory shape: a goroutine's own stack variable.  The goroutine hands its address to
 * main over a channel, then keeps writing the variable; main writes it too: race.  The
 * goroutine stays alive (waiting on `release`) until main is done with the pointer. */
#include <goroutine.h>
#include <stdio.h>

static chan_t *addr_ch, *release;

static void owner(void *arg)
{
    (void)arg;
    volatile int local = 0;
    int *p = (int *)&local;
    chan_send(addr_ch, &p);
    local = 1;
    chan_recv(release, NULL);
    printf("local %d\n", local > 0);
}

int main(void)
{
    addr_ch = chan_make(sizeof(int *), 0);
    release = chan_make(sizeof(int), 0);
    go(owner, NULL);
    int *p;
    chan_recv(addr_ch, &p);
    *p = 2;
    int v = 0;
    chan_send(release, &v);
    return 0;
}
