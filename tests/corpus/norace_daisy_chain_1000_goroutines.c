/* Many goroutines, transitive happens-before: a chain of 1000 goroutines linked by
 * unbuffered channels passes a token; each adds to a plain total before passing it on.
 * Every write is ordered after the previous one through 1000 hops. */
#include <goroutine.h>
#include <stdio.h>
#include <stdlib.h>

#define N 1000

static long total;

struct link {
    chan_t *in, *out;
};

static void hop(void *arg)
{
    struct link *l = arg;
    int token;
    chan_recv(l->in, &token);
    total += token;
    token++;
    chan_send(l->out, &token);
}

int main(void)
{
    struct link *links = malloc(N * sizeof *links);
    chan_t *first = chan_make(sizeof(int), 0), *in = first;
    for (int i = 0; i < N; i++) {
        links[i].in = in;
        links[i].out = chan_make(sizeof(int), 0);
        in = links[i].out;
        go(hop, &links[i]);
    }
    int token = 1;
    chan_send(first, &token);
    chan_recv(in, &token);
    long t = total;
    free(links);
    return token == N + 1 && t == (long)N * (N + 1) / 2 ? 0 : 1;
}
