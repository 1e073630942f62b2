/* Reused goroutine stacks: main starts 200 short goroutines one after another without
 * waiting for each; each writes a 2 KB buffer on its own stack.  A finished goroutine's
 * stack is recycled for a later one, and nothing orders the two goroutines -- the
 * detector must forget the old stack's history: no race. */
#include <goroutine.h>
#include <stdio.h>
#include <string.h>

#define N 200

static long sums[N];
static waitgroup_t wg;

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
    sums[i] = scribble(buf, sizeof buf, i);
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, N);
    for (int i = 0; i < N; i++) {
        go(worker, (void *)(intptr_t)i);
        if (i % 4 == 3)
            go_yield(); /* let some finish so their stacks are reused */
    }
    wg_wait(&wg);
    char check[2048];
    for (int i = 0; i < N; i++)
        if (sums[i] != scribble(check, sizeof check, i))
            return 1;
    return 0;
}
