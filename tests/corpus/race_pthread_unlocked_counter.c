/* pthreads: two threads increment a global with no lock (the tutorial's counter written
 * with pthread_create/pthread_join): the increments are unordered. */
#include <pthread.h>

static long counter;

static void *work(void *p)
{
    for (int i = 0; i < 100; i++)
        counter++;
    return p;
}

int main(void)
{
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, work, NULL);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    return 0;
}
