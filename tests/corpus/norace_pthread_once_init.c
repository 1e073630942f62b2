/* pthreads: pthread_once's routine happens before every pthread_once call returns, so the
 * table it fills is read race-free by every thread. */
#include <pthread.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int table[16], inits;

static void fill(void)
{
    inits++;
    for (int i = 0; i < 16; i++)
        table[i] = i * i;
}

static void *work(void *p)
{
    pthread_once(&once, fill);
    return (void *)(long)table[15];
}

int main(void)
{
    pthread_t t[3];
    for (int i = 0; i < 3; i++)
        pthread_create(&t[i], NULL, work, NULL);
    int ok = 1;
    for (int i = 0; i < 3; i++) {
        void *r;
        pthread_join(t[i], &r);
        ok &= (long)r == 225;
    }
    return ok && inits == 1 ? 0 : 1;
}
