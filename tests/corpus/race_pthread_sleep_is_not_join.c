/* pthreads: usleep is no edge.  main sleeps "long enough" for the thread to have written
 * its result and reads it before joining: the write and the read are unordered. */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static int result;

static void *work(void *p)
{
    result = 1;
    return p;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, work, NULL);
    usleep(100000);
    int r = result;
    pthread_join(t, NULL);
    printf("seen %d\n", r);
    return 0;
}
