/* pthreads: sleep is no edge.  A detached thread writes `answer`; main sleep(1)s, which
 * leaves ample time, and reads it: nothing orders the write before the read. */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static int answer;

static void *work(void *p)
{
    answer = 42;
    return p;
}

int main(void)
{
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    pthread_t t;
    pthread_create(&t, &a, work, NULL);
    sleep(1);
    printf("answer %d\n", answer);
    return 0;
}
