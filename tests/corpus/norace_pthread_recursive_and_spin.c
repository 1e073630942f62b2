/* pthreads: a recursive mutex locked twice, and a spin lock, each protect a counter; the
 * outermost unlock (and spin_unlock) happens before the next lock. */
#include <pthread.h>

static pthread_mutex_t rec;
static pthread_spinlock_t spin;
static long a, b;

static void bump(void)
{
    pthread_mutex_lock(&rec);
    a++;
    pthread_mutex_unlock(&rec);
}

static void *work(void *p)
{
    for (int i = 0; i < 50; i++) {
        pthread_mutex_lock(&rec);
        bump();
        pthread_mutex_unlock(&rec);
        pthread_spin_lock(&spin);
        b++;
        pthread_spin_unlock(&spin);
    }
    return p;
}

int main(void)
{
    pthread_mutexattr_t at;
    pthread_mutexattr_init(&at);
    pthread_mutexattr_settype(&at, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&rec, &at);
    pthread_spin_init(&spin, PTHREAD_PROCESS_PRIVATE);
    pthread_t t[3];
    for (int i = 0; i < 3; i++)
        pthread_create(&t[i], NULL, work, NULL);
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    return a == 150 && b == 150 ? 0 : 1;
}
