/* channel: count sends "sheep" over an unbuffered channel five times; main receives
 * once, prints it and returns, so sheep is printed just once. */
#include <goroutine.h>
#include <stdio.h>

struct count_args {
    const char *thing;
    chan_t *c;
};

static void count(void *arg)
{
    struct count_args *a = arg;
    for (int i = 1; i <= 5; i++) {
        chan_send(a->c, &a->thing);
        go_sleep_ms(500);
    }
}

int main(void)
{
    chan_t *c = chan_make(sizeof(char *), 0);
    struct count_args args = {"sheep", c};
    go(count, &args);

    const char *msg;
    chan_recv(c, &msg);
    printf("%s\n", msg);
    return 0;
}
