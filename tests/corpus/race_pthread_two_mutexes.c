/* pthreads: each thread locks a different mutex around the same variable; one mutex's
 * unlock orders nothing before the other's lock. */
#include <pthread.h>

static pthread_mutex_t m[2] = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER};
static long shared;

static void *work(void *p)
{
    pthread_mutex_t *mine = p;
    pthread_mutex_lock(mine);
    shared++;
    pthread_mutex_unlock(mine);
    return NULL;
}

int main(void)
{
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, work, &m[i]);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    return 0;
}
