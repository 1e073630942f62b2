/* pthreads: every arrival at a barrier happens before every departure of that round.
 * Each thread writes its slot, passes the barrier, reads all slots, and a second barrier
 * orders those reads before the next round's writes. */
#include <pthread.h>

enum { N = 3, ROUNDS = 3 };
static pthread_barrier_t bar;
static int slot[N], bad;

static void *work(void *p)
{
    long id = (long)p;
    for (int r = 1; r <= ROUNDS; r++) {
        slot[id] = r;
        pthread_barrier_wait(&bar);
        for (int i = 0; i < N; i++)
            if (slot[i] != r)
                __atomic_add_fetch(&bad, 1, __ATOMIC_RELAXED);
        pthread_barrier_wait(&bar);
    }
    return NULL;
}

int main(void)
{
    pthread_barrier_init(&bar, NULL, N);
    pthread_t t[N];
    for (long i = 0; i < N; i++)
        pthread_create(&t[i], NULL, work, (void *)i);
    for (int i = 0; i < N; i++)
        pthread_join(t[i], NULL);
    return bad == 0 ? 0 : 1;
}
