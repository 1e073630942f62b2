/* pthreads: a thread's stack is as big as its attribute says (more than a goroutine's
 * 2 MB), and big stacks are cached, evicted and mapped again.  Rounds of 20 threads (more
 * than the cache keeps), each with a stack size of its own, fill a 3 MB local buffer and
 * recurse; every round's threads are joined before the next round is created, so nothing
 * of an old stack may be reported against a new thread at the same addresses. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define THREADS 20
#define ROUNDS 4

static int depth(int n)
{
    volatile char pad[256];
    pad[0] = (char)n;
    return n ? depth(n - 1) + (pad[0] & 1) : 0;
}

static void *work(void *p)
{
    char buf[3 << 20];
    long id = (long)p;
    memset(buf, (int)id, sizeof buf);
    long sum = depth(2000);
    for (size_t i = 0; i < sizeof buf; i += 4096)
        sum += buf[i];
    return (void *)sum;
}

int main(void)
{
    long total = 0;
    for (int r = 0; r < ROUNDS; r++) {
        pthread_t t[THREADS];
        for (long i = 0; i < THREADS; i++) {
            pthread_attr_t a;
            pthread_attr_init(&a);
            pthread_attr_setstacksize(&a, (6u << 20) + (size_t)((i + r) % THREADS) * 65536);
            if (pthread_create(&t[i], &a, work, (void *)i) != 0)
                return 1;
            pthread_attr_destroy(&a);
        }
        for (int i = 0; i < THREADS; i++) {
            void *v;
            pthread_join(t[i], &v);
            total += (long)v;
        }
    }
    printf("%ld\n", total);
    return 0;
}
