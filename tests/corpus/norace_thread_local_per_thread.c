/* pthreads: a __thread variable is each thread's own.  Four threads count in one
 * `static __thread` counter (and an initialised one), taking a mutex between steps so
 * they interleave; each must end with its own count, and no copy races with another. */
#include <pthread.h>
#include <stdio.h>

enum { N = 4, STEPS = 500 };
static __thread int mine;
static __thread int base = 100;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int total, wrong;

static void *work(void *p)
{
    (void)p;
    for (int i = 0; i < STEPS; i++) {
        mine++;
        base++;
        pthread_mutex_lock(&mu);
        total++;
        pthread_mutex_unlock(&mu);
    }
    pthread_mutex_lock(&mu);
    wrong += mine != STEPS || base != 100 + STEPS;
    pthread_mutex_unlock(&mu);
    return NULL;
}

int main(void)
{
    pthread_t t[N];
    mine = -1;
    for (int i = 0; i < N; i++)
        pthread_create(&t[i], NULL, work, NULL);
    for (int i = 0; i < N; i++)
        pthread_join(t[i], NULL);
    printf("total=%d wrong=%d main=%d\n", total, wrong, mine);
    return total != N * STEPS || wrong || mine != -1;
}
