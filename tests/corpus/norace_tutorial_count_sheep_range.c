/* Tutorial (channels): count("sheep", c) sends five messages and closes; main ranges over
 * c.  Each message is a heap string built by the sender and freed by the receiver: the
 * send -> receive edge makes the hand-over race free, and the loop ends on the close. */
#include <goroutine.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct count_args {
    const char *thing;
    chan_t *c;
};

static void count(void *arg)
{
    struct count_args *a = arg;
    for (int i = 1; i <= 5; i++) {
        char *msg = malloc(32);
        snprintf(msg, 32, "%d %s", i, a->thing);
        chan_send(a->c, &msg);
    }
    chan_close(a->c);
}

int main(void)
{
    struct count_args a = {"sheep", chan_make(sizeof(char *), 0)};
    go(count, &a);
    char *msg;
    int n = 0;
    chan_range(a.c, msg) {
        puts(msg);
        n += strstr(msg, "sheep") != NULL;
        free(msg);
    }
    return n == 5 ? 0 : 1;
}
