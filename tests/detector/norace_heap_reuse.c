/* Freed memory handed out again carries no history: goroutine A uses a block and frees
 * it, B mallocs (likely the same block) and writes it, with no edge between A and B. */
#include <goroutine.h>
#include <stdio.h>
#include <stdlib.h>

static waitgroup_t wg_a, wg_b;
static chan_t *order;

static void user_a(void *arg)
{
    (void)arg;
    long *p = malloc(64);
    for (int i = 0; i < 8; i++)
        p[i] = i;
    free(p);
    int t = 0;
    chan_send(order, &t); /* only so that A runs first; B does not receive it */
    wg_done(&wg_a);
}

static void user_b(void *arg)
{
    long *out = arg;
    long *p = malloc(64);
    for (int i = 0; i < 8; i++)
        p[i] = 2 * i;
    *out = p[7];
    free(p);
    wg_done(&wg_b);
}

int main(void)
{
    static long seen;
    order = chan_make(sizeof(int), 1);
    wg_add(&wg_a, 1);
    go(user_a, NULL);
    wg_wait(&wg_a); /* main joins A, then starts B: A -> B only through main, which is fine */
    int t;
    chan_recv(order, &t);
    wg_add(&wg_b, 1);
    go(user_b, &seen);
    wg_wait(&wg_b);
    printf("%ld\n", seen);
    return 0;
}
