/* Memory shape: two goroutines write the same field of a heap struct: race (the other
 * fields, written by one goroutine each, are fine). */
#include <goroutine.h>
#include <stdio.h>
#include <stdlib.h>

struct account {
    char owner[16];
    long balance;
    int ops;
};

static waitgroup_t wg;

static void deposit(void *arg)
{
    struct account *a = arg;
    a->balance += 10;
    wg_done(&wg);
}

int main(void)
{
    struct account *a = calloc(1, sizeof *a);
    wg_add(&wg, 2);
    go(deposit, a);
    go(deposit, a);
    wg_wait(&wg);
    printf("balance %ld\n", a->balance);
    free(a);
    return 0;
}
