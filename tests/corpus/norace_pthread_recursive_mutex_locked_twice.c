/* pthreads: a PTHREAD_MUTEX_RECURSIVE mutex may be locked again by its owner; only the
 * outermost unlock releases it, and that unlock happens before the next thread's lock. */
#include <pthread.h>

static pthread_mutex_t mu;
static long balance, ops;

static void deposit(long amount) /* also called with mu already held */
{
    pthread_mutex_lock(&mu);
    balance += amount;
    ops++;
    pthread_mutex_unlock(&mu);
}

static void *work(void *p)
{
    for (int i = 0; i < 100; i++) {
        pthread_mutex_lock(&mu);
        deposit(2); /* second lock by the owner: must not deadlock */
        balance -= 1;
        pthread_mutex_unlock(&mu);
    }
    return p;
}

int main(void)
{
    pthread_mutexattr_t at;
    pthread_mutexattr_init(&at);
    pthread_mutexattr_settype(&at, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&mu, &at);
    pthread_mutexattr_destroy(&at);
    pthread_t t[3];
    for (int i = 0; i < 3; i++)
        pthread_create(&t[i], NULL, work, NULL);
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    pthread_mutex_destroy(&mu);
    return balance == 300 && ops == 300 ? 0 : 1;
}
