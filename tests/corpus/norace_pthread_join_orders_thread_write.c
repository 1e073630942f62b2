/* pthreads: a thread's end happens before the pthread_join that returns: main reads the
 * thread's plain writes (a global array and the heap block it returns) after the join. */
#include <pthread.h>
#include <stdlib.h>

static int squares[10];

static void *work(void *p)
{
    int *sum = malloc(sizeof *sum);
    *sum = 0;
    for (int i = 0; i < 10; i++) {
        squares[i] = i * i;
        *sum += squares[i];
    }
    return sum;
}

int main(void)
{
    pthread_t t;
    void *r;
    pthread_create(&t, NULL, work, NULL);
    pthread_join(t, &r);
    int *sum = r, ok = *sum == 285 && squares[9] == 81;
    free(sum);
    return ok ? 0 : 1;
}
