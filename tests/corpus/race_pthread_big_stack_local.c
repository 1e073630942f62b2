/* pthreads: a local deep in a thread's 16 MB stack (below where a goroutine's 2 MB stack
 * would end) is handed to another thread, and both write it unordered. */
#include <pthread.h>
#include <stdio.h>

static pthread_barrier_t b;

static void *poke(void *p)
{
    *(int *)p += 1;
    pthread_barrier_wait(&b);
    return NULL;
}

static int deep(int n, pthread_t *t)
{
    volatile char pad[1024];
    pad[0] = (char)n;
    if (n)
        return deep(n - 1, t) + pad[0];
    int local = 0; /* about 4 MB below the stack's top */
    pthread_create(t, NULL, poke, &local);
    local += 2;
    pthread_barrier_wait(&b); /* after both writes: orders nothing between them */
    return local;
}

static void *owner(void *p)
{
    pthread_t t;
    long r = deep(4000, &t);
    pthread_join(t, NULL);
    return (void *)r;
}

int main(void)
{
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setstacksize(&a, 16u << 20);
    pthread_barrier_init(&b, NULL, 2);
    pthread_t t;
    void *r;
    pthread_create(&t, &a, owner, NULL);
    pthread_join(t, &r);
    printf("%ld\n", (long)r);
    return 0;
}
