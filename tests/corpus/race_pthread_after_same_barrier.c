/* pthreads: a barrier orders arrivals before departures, not what two threads do after
 * the same round: one writes after the barrier, the other reads after it. */
#include <pthread.h>
#include <stdio.h>

static pthread_barrier_t bar;
static int shared;

static void *writer(void *p)
{
    pthread_barrier_wait(&bar);
    shared = 1;
    return p;
}

int main(void)
{
    pthread_barrier_init(&bar, NULL, 2);
    pthread_t t;
    pthread_create(&t, NULL, writer, NULL);
    pthread_barrier_wait(&bar);
    int v = shared;
    pthread_join(t, NULL);
    printf("seen %d\n", v);
    return 0;
}
