/* libc: rand_r with a seed of each thread's own (on its stack) shares nothing. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static void *draw(void *p)
{
    unsigned seed = (unsigned)(long)p;
    long in = 0;
    for (int i = 0; i < 1000; i++)
        in += rand_r(&seed) % 2;
    return (void *)in;
}

int main(void)
{
    pthread_t t[2];
    void *r[2];
    for (long i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, draw, (void *)(i + 1));
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], &r[i]);
    printf("%ld\n", (long)r[0] + (long)r[1]);
    return 0;
}
