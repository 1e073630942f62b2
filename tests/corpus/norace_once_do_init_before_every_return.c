/* Go memory model (sync.Once): the single call of f happens before any once.Do(f)
 * returns.  Five goroutines race to initialise a lookup table; all read it afterwards.
 * The initialiser yields midway so that the others really wait inside once_do. */
#include <goroutine.h>
#include <stdio.h>

#define USERS 5

static int table[32];
static int init_calls;
static once_t once;
static waitgroup_t wg;
static int ok[USERS];

static void init_table(void *arg)
{
    (void)arg;
    init_calls++;
    for (int i = 0; i < 32; i++) {
        table[i] = i * 3;
        if (i == 16)
            go_yield();
    }
}

static void user(void *arg)
{
    int u = (int)(intptr_t)arg;
    once_do(&once, init_table, NULL);
    ok[u] = table[31] == 93 && table[16] == 48;
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, USERS);
    for (int u = 0; u < USERS; u++)
        go(user, (void *)(intptr_t)u);
    wg_wait(&wg);
    for (int u = 0; u < USERS; u++)
        if (!ok[u])
            return 1;
    return init_calls == 1 ? 0 : 1;
}
