/* pthreads: pthread_spin_unlock happens before the next pthread_spin_lock of the same
 * spin lock, so a counter bumped under it by two threads is race-free. */
#include <pthread.h>

static pthread_spinlock_t spin;
static long counter;

static void *work(void *p)
{
    for (int i = 0; i < 200; i++) {
        pthread_spin_lock(&spin);
        counter++;
        pthread_spin_unlock(&spin);
    }
    return p;
}

int main(void)
{
    pthread_spin_init(&spin, PTHREAD_PROCESS_PRIVATE);
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, work, NULL);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    pthread_spin_destroy(&spin);
    return counter == 400 ? 0 : 1;
}
