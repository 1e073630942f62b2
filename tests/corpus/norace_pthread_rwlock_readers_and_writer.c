/* pthreads: a writer's unlock happens before later read locks, and the readers' unlocks
 * before the next write lock: readers share, the writer's updates are ordered. */
#include <pthread.h>

static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static int value, sum;

static void *reader(void *p)
{
    int s = 0;
    for (int i = 0; i < 50; i++) {
        pthread_rwlock_rdlock(&rw);
        s += value;
        pthread_rwlock_unlock(&rw);
    }
    return (void *)(long)s;
}

static void *writer(void *p)
{
    for (int i = 0; i < 50; i++) {
        pthread_rwlock_wrlock(&rw);
        value++;
        pthread_rwlock_unlock(&rw);
    }
    return p;
}

int main(void)
{
    pthread_t t[3];
    pthread_create(&t[0], NULL, writer, NULL);
    pthread_create(&t[1], NULL, reader, NULL);
    pthread_create(&t[2], NULL, reader, NULL);
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    return value == 50 ? 0 : 1;
}
