/* pthreads: a detached thread cannot be joined; its sem_post happens before the sem_wait
 * it satisfies, so main waits once per worker and then reads every worker's result. */
#include <pthread.h>
#include <semaphore.h>

enum { N = 4 };
static sem_t done;
static long result[N];

static void *work(void *p)
{
    long id = (long)p;
    result[id] = id * 100;
    sem_post(&done); /* the worker's last access to shared data */
    return NULL;
}

int main(void)
{
    sem_init(&done, 0, 0);
    for (long i = 0; i < N; i++) {
        pthread_t t;
        pthread_create(&t, NULL, work, (void *)i);
        pthread_detach(t);
    }
    for (int i = 0; i < N; i++)
        sem_wait(&done);
    long sum = 0;
    for (int i = 0; i < N; i++)
        sum += result[i];
    return sum == 600 ? 0 : 1;
}
