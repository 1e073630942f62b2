/* pthreads: a condition variable with its predicate loop; the items travel under the
 * mutex, whose unlock (also inside pthread_cond_wait) orders them. */
#include <pthread.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t nonempty = PTHREAD_COND_INITIALIZER;
static int item[8], n, total;

static void *consumer(void *p)
{
    for (int got = 0; got < 8; got++) {
        pthread_mutex_lock(&mu);
        while (n == 0)
            pthread_cond_wait(&nonempty, &mu);
        total += item[--n];
        pthread_mutex_unlock(&mu);
    }
    return p;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, consumer, NULL);
    for (int i = 1; i <= 8; i++) {
        pthread_mutex_lock(&mu);
        item[n++] = i;
        pthread_cond_signal(&nonempty);
        pthread_mutex_unlock(&mu);
    }
    pthread_join(t, NULL);
    return total == 36 ? 0 : 1;
}
