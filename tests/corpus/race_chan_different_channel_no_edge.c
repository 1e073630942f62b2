/* Happens-before flows only along the channel that carried the message.  main receives
 * from `other` (fed by a goroutine that never touched `data`) and then reads `data`, which
 * the writer published on `mine`: race.  main drains `mine` afterwards so both run. */
#include <goroutine.h>
#include <stdio.h>

static int data;
static chan_t *mine, *other;

static void writer(void *arg)
{
    (void)arg;
    data = 5;
    chan_send(mine, &data);
}

static void bystander(void *arg)
{
    (void)arg;
    int v = 0;
    chan_send(other, &v);
}

int main(void)
{
    mine = chan_make(sizeof(int), 1);
    other = chan_make(sizeof(int), 0);
    go(writer, NULL);
    go(bystander, NULL);
    chan_recv(other, NULL);
    int seen = data;
    chan_recv(mine, NULL);
    printf("seen %d\n", seen);
    return 0;
}
