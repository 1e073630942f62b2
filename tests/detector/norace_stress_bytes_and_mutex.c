/* Stress for procs=2: four goroutines share granules byte by byte (each owns one byte of
 * every word, no synchronisation needed) and a mutex-protected counter and table.  The
 * granule lock must serialise concurrent updates of one granule without inventing races. */
#include <goroutine.h>
#include <stdio.h>

enum { WORKERS = 4, WORDS = 64, ITERS = 20000 };

static unsigned char bytes[WORDS][8] __attribute__((aligned(8)));
static long table[16];
static long counter;
static mutex_t mu;
static waitgroup_t wg;

static void worker(void *arg)
{
    long k = (long)arg;
    for (int i = 0; i < ITERS; i++) {
        bytes[i % WORDS][k] += 1;
        bytes[(i * 7) % WORDS][k + WORKERS] ^= (unsigned char)i;
        if (i % 8 == 0) {
            mutex_lock(&mu);
            counter++;
            table[i % 16] += k;
            mutex_unlock(&mu);
        }
    }
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, WORKERS);
    for (long k = 0; k < WORKERS; k++)
        go(worker, (void *)k);
    wg_wait(&wg);
    printf("%ld %d\n", counter, bytes[3][2]);
    return 0;
}
