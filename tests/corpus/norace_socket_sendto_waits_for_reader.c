/* A goroutine sending more than a socket holds must not stop the program: at procs = 1
 * main fills the socket with sendto, 4 KB at a time, far past its buffer, before the
 * reader has run; with the socket full it lets the reader drain it instead of blocking
 * the only thread.  The reader's count is then ordered by its one-byte answer.  (Before,
 * sendto alone of the send family blocked for real here, and this hung.) */
#include <goroutine.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

enum { CHUNK = 4096, TOTAL = 64 * CHUNK };

static int sv[2];
static long received;

static void reader(void *arg)
{
    (void)arg;
    char buf[CHUNK];
    while (received < TOTAL) {
        ssize_t k = recv(sv[1], buf, sizeof buf, 0);
        if (k <= 0)
            return;
        received += k;
    }
    if (send(sv[1], "!", 1, 0) != 1)
        perror("send");
}

int main(void)
{
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        return 1;
    int small = CHUNK * 4;
    setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
    setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    go(reader, NULL);
    static char chunk[CHUNK];
    for (long sent = 0; sent < TOTAL; sent += CHUNK)
        if (sendto(sv[0], chunk, CHUNK, 0, NULL, 0) != CHUNK)
            return 1;
    char c;
    if (recv(sv[0], &c, 1, 0) != 1)
        return 1;
    printf("%ld\n", received);
    return 0;
}
