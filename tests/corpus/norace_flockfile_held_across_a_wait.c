/* stdio: a thread may hold flockfile across a wait; other threads' writes to that FILE
 * wait for its funlockfile.  The holder writes "header", waits on a condition variable
 * that the printers' start lets through, then writes "body": nothing may come between,
 * and the printers' ftrylockfile meanwhile fails.
 * (Holding glibc's own lock across the wait blocked a whole OS thread at procs = 2, and
 * the program hung.) */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { N = 4 };
static FILE *out;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t go_on = PTHREAD_COND_INITIALIZER;
static int started, locked, trylock_wrong;

static void *holder(void *p)
{
    flockfile(out);
    fputs("header\n", out);
    pthread_mutex_lock(&mu);
    locked = 1;
    pthread_cond_broadcast(&go_on);
    while (started < N)
        pthread_cond_wait(&go_on, &mu);
    pthread_mutex_unlock(&mu);
    fputs("body\n", out);
    funlockfile(out);
    return p;
}

static void *printer(void *p)
{
    pthread_mutex_lock(&mu);
    while (!locked)
        pthread_cond_wait(&go_on, &mu);
    if (ftrylockfile(out) == 0) { /* the holder has it: must fail */
        funlockfile(out);
        trylock_wrong++;
    }
    started++;
    pthread_cond_broadcast(&go_on);
    pthread_mutex_unlock(&mu);
    fprintf(out, "printer %ld\n", (long)p);
    return p;
}

int main(void)
{
    char *buf = NULL;
    size_t len = 0;
    out = open_memstream(&buf, &len);
    pthread_t h, t[N];
    pthread_create(&h, NULL, holder, NULL);
    for (long i = 0; i < N; i++)
        pthread_create(&t[i], NULL, printer, (void *)i);
    pthread_join(h, NULL);
    for (int i = 0; i < N; i++)
        pthread_join(t[i], NULL);
    fclose(out);
    int ok = strncmp(buf, "header\nbody\n", 12) == 0 && !trylock_wrong;
    printf("%s", ok ? "header and body together\n" : buf);
    free(buf);
    return !ok;
}
