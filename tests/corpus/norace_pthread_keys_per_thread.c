/* pthreads: thread-specific data is per thread.  Each thread keeps its own buffer behind
 * one key and writes it freely; the destructor frees it at the thread's end. */
#include <pthread.h>
#include <stdlib.h>

static pthread_key_t key;
static int freed;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static void release(void *p)
{
    free(p);
    pthread_mutex_lock(&mu);
    freed++;
    pthread_mutex_unlock(&mu);
}

static void *work(void *p)
{
    int *mine = calloc(4, sizeof *mine);
    pthread_setspecific(key, mine);
    for (int i = 0; i < 100; i++)
        ((int *)pthread_getspecific(key))[i % 4]++;
    return p;
}

int main(void)
{
    pthread_key_create(&key, release);
    pthread_t t[3];
    for (int i = 0; i < 3; i++)
        pthread_create(&t[i], NULL, work, NULL);
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    return freed == 3 ? 0 : 1;
}
