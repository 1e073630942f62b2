/* pthreads: unlock happens before the next lock of the same mutex, so a counter updated
 * under one pthread_mutex_t by four threads is race-free. */
#include <pthread.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *work(void *p)
{
    for (int i = 0; i < 100; i++) {
        pthread_mutex_lock(&mu);
        counter++;
        pthread_mutex_unlock(&mu);
    }
    return p;
}

int main(void)
{
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, work, NULL);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    return counter == 400 ? 0 : 1;
}
