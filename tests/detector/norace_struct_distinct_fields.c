/* Different fields of one struct are different memory: no race. */
#include <goroutine.h>
#include <stdio.h>

static struct {
    int a;
    int b;
    char c, d;
} s;
static waitgroup_t wg;

static void fa(void *arg) { (void)arg; s.a = 1; s.c = 'x'; wg_done(&wg); }
static void fb(void *arg) { (void)arg; s.b = 2; s.d = 'y'; wg_done(&wg); }

int main(void)
{
    wg_add(&wg, 2);
    go(fa, NULL);
    go(fb, NULL);
    wg_wait(&wg);
    printf("%d %d %c %c\n", s.a, s.b, s.c, s.d);
    return 0;
}
