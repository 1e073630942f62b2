/* Descriptors as edges, both ways and through stdio: main fills a request and sends a
 * line over one end of a socketpair (fprintf on a FILE); a worker reads the line with
 * fgets on the other end, reads the request, fills a reply and answers with write(2);
 * main reads the answer, then the reply.  (Relaxed flags order nothing; they keep the
 * reads from blocking the only thread at procs = 1.) */
#include <goroutine.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

static int request, reply;
static int sv[2];
static atomic_int asked, answered;

static void worker(void *arg)
{
    (void)arg;
    while (!atomic_load_explicit(&asked, memory_order_relaxed))
        go_yield();
    FILE *in = fdopen(dup(sv[1]), "r");
    char line[32];
    if (!in || !fgets(line, sizeof line, in))
        return;
    reply = request * 2;
    if (write(sv[1], "ok\n", 3) != 3)
        perror("write");
    atomic_store_explicit(&answered, 1, memory_order_relaxed);
    fclose(in);
}

int main(void)
{
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        return 1;
    go(worker, NULL);
    request = 21;
    FILE *out = fdopen(sv[0], "w");
    fprintf(out, "request\n");
    fflush(out);
    atomic_store_explicit(&asked, 1, memory_order_relaxed);
    while (!atomic_load_explicit(&answered, memory_order_relaxed))
        go_yield();
    char ack[4];
    if (read(sv[0], ack, 3) != 3)
        return 1;
    printf("reply %d\n", reply);
    fclose(out);
    close(sv[1]);
    return 0;
}
