/* stdio character I/O on a pipe: a byte written with putc happens before the getc that
 * reads it, so what the writer stored before is the reader's to read.  The reader starts
 * first and waits for data: at procs = 1 fgetc/getc must let the writer run, not block
 * the only thread. */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static int fds[2];
static int message; /* written before the bytes are sent, read after they arrive */

static void *reader(void *p)
{
    FILE *in = fdopen(fds[0], "r");
    int c, n = 0;
    while ((c = n % 2 ? getc(in) : fgetc(in)) != EOF)
        n++;
    fclose(in);
    return (void *)(long)(n == 3 && message == 42);
}

static void *writer(void *p)
{
    FILE *out = fdopen(fds[1], "w");
    message = 42;
    putc('a', out);
    fputc('b', out);
    fflush(out);
    putc('c', out);
    fclose(out);
    return p;
}

int main(void)
{
    if (pipe(fds))
        return 2;
    pthread_t r, w;
    void *ok;
    pthread_create(&r, NULL, reader, NULL);
    pthread_create(&w, NULL, writer, NULL);
    pthread_join(w, NULL);
    pthread_join(r, &ok);
    puts(ok ? "ok" : "wrong");
    return !ok;
}
