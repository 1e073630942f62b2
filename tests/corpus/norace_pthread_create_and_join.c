/* pthreads: what main writes before pthread_create happens before the thread starts, and
 * the thread's end (its writes, its return value) before the pthread_join that returns. */
#include <pthread.h>

static int input, output;

static void *work(void *p)
{
    output = input * 2;
    return (void *)(long)(input + 1);
}

int main(void)
{
    pthread_t t;
    void *r;
    input = 20;
    pthread_create(&t, NULL, work, NULL);
    pthread_join(t, &r);
    return output == 40 && (long)r == 21 ? 0 : 1;
}
