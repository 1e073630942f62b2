/* pthreads: pthread_create orders only what main did before it.  main writes `limit`
 * after creating the thread that reads it: the write and the read are unordered. */
#include <pthread.h>
#include <stdio.h>

static int limit = 10;

static void *work(void *p)
{
    return (void *)(long)(limit * 2);
}

int main(void)
{
    pthread_t t;
    void *r;
    pthread_create(&t, NULL, work, NULL);
    limit = 20;
    pthread_join(t, &r);
    printf("got %ld\n", (long)r);
    return 0;
}
