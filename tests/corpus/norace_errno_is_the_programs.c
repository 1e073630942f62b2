/* errno belongs to the program: zero when main starts, and set only by its own calls.
 * The detector's start-up and the shadow it maps on a goroutine's first access to new
 * memory make system calls that fail on purpose (EEXIST for each refused placement);
 * none of that may show.  Each thread checks errno as it starts and after a failing
 * close, which it reads with nothing else in between. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

enum { N = 8 };
static int wrong;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static void *work(void *p)
{
    int at_start = errno;
    char *fresh = malloc(1 << 20); /* new memory: its shadow is mapped on first touch */
    fresh[(long)p * 4096] = 1;
    int r = close(-1), e = errno;
    pthread_mutex_lock(&mu);
    wrong += at_start != 0 || r != -1 || e != EBADF;
    pthread_mutex_unlock(&mu);
    free(fresh);
    return NULL;
}

int main(void)
{
    if (errno != 0) {
        printf("errno is %d when main starts\n", errno);
        return 1;
    }
    int r = close(-1), e = errno;
    if (r != -1 || e != EBADF) {
        printf("close(-1) left errno %d\n", e);
        return 1;
    }
    pthread_t t[N];
    for (long i = 0; i < N; i++)
        pthread_create(&t[i], NULL, work, (void *)i);
    for (int i = 0; i < N; i++)
        pthread_join(t[i], NULL);
    printf("wrong=%d\n", wrong);
    return wrong != 0;
}
