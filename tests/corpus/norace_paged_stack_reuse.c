/* Reused goroutine stacks that went through paging and the cold list: 600 goroutines
 * each write a 2 KB buffer on their own stack and park (most are paged out); main closes
 * the channel and waits, without any edge from them, until they are all gone (their
 * stacks beyond the hot cache are freed cold, pages and all).  A second wave of 600 then
 * writes the same stack addresses.  Nothing orders the two waves: the detector must have
 * forgotten the first wave's history on every reused stack, hot or cold: no race.
 * Paging needs a userfaultfd (root); without one this is the plain reuse case.
 * corpus-env: RACEDEMO_STACK_PAGING=1 RACEDEMO_STACK_KEEP=16 */
#include <goroutine.h>

#define N 600

static chan_t *ch[2]; /* one per wave: a wave must not read what main writes later */
static long sums[2][N];

static __attribute__((noinline)) long scribble(char *buf, size_t n, int seed)
{
    for (size_t i = 0; i < n; i++)
        buf[i] = (char)(seed + i);
    long s = 0;
    for (size_t i = 0; i < n; i += 64)
        s += buf[i];
    return s;
}

static void worker(void *arg)
{
    int i = (int)(intptr_t)arg;
    char buf[2048];
    sums[i / N][i % N] = scribble(buf, sizeof buf, i);
    chan_recv(ch[i / N], NULL); /* parked (and paged out) until main closes ch */
}

/* Wait for every worker to exit, learning nothing from them (no happens-before). */
static void wait_all_gone(void)
{
    while (go_num_goroutine() > 1)
        go_yield();
}

static void wave(int w)
{
    for (int i = 0; i < N; i++)
        go(worker, (void *)(intptr_t)(w * N + i));
    for (int k = 0; k < 4 * N; k++)
        go_yield(); /* let them all reach the receive */
    chan_close(ch[w]);
    wait_all_gone();
}

int main(void)
{
    for (int w = 0; w < 2; w++)
        ch[w] = chan_make(sizeof(int), 0);
    wave(0);
    wave(1);
    for (int w = 0; w < 2; w++)
        chan_free(ch[w]);
    return 0;
}
