/* pthreads: a key's value is per thread (each sees only its own through
 * pthread_getspecific), and its destructor runs at the thread's exit, before the join
 * returns: main reads what each destructor wrote after joining. */
#include <pthread.h>
#include <stdlib.h>

enum { N = 3 };
static pthread_key_t key;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int dtor_calls, final[N];

typedef struct { long id, hits; } mine_t;

static void dtor(void *p)
{
    final[((mine_t *)p)->id] = (int)((mine_t *)p)->hits; /* its own slot */
    free(p);
    pthread_mutex_lock(&mu); /* destructors of different threads may overlap */
    dtor_calls++;
    pthread_mutex_unlock(&mu);
}

static void *work(void *p)
{
    mine_t *m = calloc(1, sizeof *m);
    m->id = (long)p;
    pthread_setspecific(key, m);
    for (int i = 0; i < 10 + m->id; i++) {
        mine_t *again = pthread_getspecific(key);
        if (again != m || again->id != (long)p)
            return (void *)1L;
        again->hits++;
    }
    return NULL;
}

int main(void)
{
    pthread_key_create(&key, dtor);
    pthread_t t[N];
    for (long i = 0; i < N; i++)
        pthread_create(&t[i], NULL, work, (void *)i);
    int ok = 1;
    for (int i = 0; i < N; i++) {
        void *r;
        pthread_join(t[i], &r);
        ok &= r == NULL && final[i] == 10 + i;
    }
    ok &= dtor_calls == N && pthread_getspecific(key) == NULL; /* main set nothing */
    return ok ? 0 : 1;
}
