/* pthreads: what main writes before pthread_create happens before the new thread starts,
 * so each thread reads main's table (written before any create) without a lock. */
#include <pthread.h>

enum { N = 3, LEN = 8 };
static int table[LEN];

static void *work(void *p)
{
    long id = (long)p, sum = 0;
    for (int i = 0; i < LEN; i++)
        sum += table[i];
    return (void *)(sum + id); /* 0+1+...+7 = 28, plus the thread's id */
}

int main(void)
{
    for (int i = 0; i < LEN; i++)
        table[i] = i;
    pthread_t t[N];
    for (long i = 0; i < N; i++)
        pthread_create(&t[i], NULL, work, (void *)i);
    int ok = 1;
    for (long i = 0; i < N; i++) {
        void *r;
        pthread_join(t[i], &r);
        ok &= (long)r == 28 + i;
    }
    return ok ? 0 : 1;
}
