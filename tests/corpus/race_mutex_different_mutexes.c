/* Locking protects data only if everyone uses the same mutex: two goroutines each hold
 * their own mutex while writing `balance`: race. */
#include <goroutine.h>
#include <stdio.h>

static long balance;
static mutex_t mu_a, mu_b;
static waitgroup_t wg;

static void deposit(void *arg)
{
    mutex_t *mu = arg;
    mutex_lock(mu);
    balance += 10;
    mutex_unlock(mu);
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 2);
    go(deposit, &mu_a);
    go(deposit, &mu_b);
    wg_wait(&wg);
    printf("balance %ld\n", balance);
    return 0;
}
