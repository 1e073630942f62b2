/* pthreads: a read lock admits readers together, so two threads that write under
 * pthread_rwlock_rdlock are unordered. */
#include <pthread.h>

static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static pthread_barrier_t both_in;
static int shared;

static void *work(void *p)
{
    pthread_rwlock_rdlock(&rw);
    pthread_barrier_wait(&both_in); /* both hold the read lock now */
    shared++;
    pthread_rwlock_unlock(&rw);
    return p;
}

int main(void)
{
    pthread_barrier_init(&both_in, NULL, 2);
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, work, NULL);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    return 0;
}
