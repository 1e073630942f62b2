/* libc: rand_r is reentrant only with a seed per caller.  Two threads drawing from one
 * shared seed both read and write it, unordered (a classic Monte Carlo bug). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static unsigned seed = 42;
static pthread_barrier_t b;

static void *draw(void *p)
{
    long in = 0;
    pthread_barrier_wait(&b); /* both start together: orders nothing after it */
    for (int i = 0; i < 1000; i++)
        in += rand_r(&seed) % 2;
    return (void *)in;
}

int main(void)
{
    pthread_t t[2];
    void *r[2];
    pthread_barrier_init(&b, NULL, 2);
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, draw, NULL);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], &r[i]);
    printf("%ld\n", (long)r[0] + (long)r[1]);
    return 0;
}
