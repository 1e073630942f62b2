/* pthreads: errno is each thread's own.  Threads clear errno, parse with strtol (which
 * sets it on overflow) and read it back, blocking on a mutex in between so they
 * interleave; each must see its own errno, and no errno races with another thread's. */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

enum { N = 4, STEPS = 200 };
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int wrong;

static void *work(void *p)
{
    const char *text = p; /* overflows for odd threads, parses for even ones */
    for (int i = 0; i < STEPS; i++) {
        errno = 0;
        long v = strtol(text, NULL, 10);
        pthread_mutex_lock(&mu);
        wrong += (errno == ERANGE) != (v == LONG_MAX);
        pthread_mutex_unlock(&mu);
    }
    return NULL;
}

int main(void)
{
    pthread_t t[N];
    for (int i = 0; i < N; i++)
        pthread_create(&t[i], NULL, work, i % 2 ? "99999999999999999999999" : "42");
    for (int i = 0; i < N; i++)
        pthread_join(t[i], NULL);
    printf("wrong=%d\n", wrong);
    return wrong != 0;
}
