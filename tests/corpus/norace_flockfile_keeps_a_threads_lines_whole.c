/* stdio: flockfile makes a thread's several calls on one FILE one unit.  Three threads
 * each write "[id:" and "i]" as two calls with a yield between them, under flockfile;
 * every line must come out whole.  (glibc's lock is recursive per OS thread, and all
 * goroutines of an M are one OS thread: the lock must be the goroutine's.) */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { N = 3, LINES = 20 };
static FILE *out;

static void *work(void *p)
{
    long id = (long)p;
    for (int i = 0; i < LINES; i++) {
        flockfile(out);
        fprintf(out, "[%ld:", id);
        sched_yield();
        fprintf(out, "%d]\n", i);
        funlockfile(out);
    }
    return NULL;
}

int main(void)
{
    char *buf = NULL;
    size_t len = 0;
    out = open_memstream(&buf, &len);
    pthread_t t[N];
    for (long i = 0; i < N; i++)
        pthread_create(&t[i], NULL, work, (void *)i);
    for (int i = 0; i < N; i++)
        pthread_join(t[i], NULL);
    fclose(out);
    int lines = 0, broken = 0;
    for (char *l = strtok(buf, "\n"); l; l = strtok(NULL, "\n"), lines++) {
        long id;
        int i;
        char end;
        broken += sscanf(l, "[%ld:%d%c", &id, &i, &end) != 3 || end != ']';
    }
    printf("%d lines, %d broken\n", lines, broken);
    free(buf);
    return lines != N * LINES || broken;
}
