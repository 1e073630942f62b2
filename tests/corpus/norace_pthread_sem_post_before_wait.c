/* pthreads: sem_post happens before the sem_wait it lets through, so data written before
 * the post is safely read after the wait, by a detached thread nobody joins. */
#include <pthread.h>
#include <semaphore.h>

static sem_t ready;
static int data;

static void *producer(void *p)
{
    data = 42;
    sem_post(&ready);
    return p;
}

int main(void)
{
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    sem_init(&ready, 0, 0);
    pthread_t t;
    pthread_create(&t, &a, producer, NULL);
    sem_wait(&ready);
    return data == 42 ? 0 : 1;
}
