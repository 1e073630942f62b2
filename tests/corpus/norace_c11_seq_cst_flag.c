/* C11 sequentially consistent atomics (the default for atomic_store/atomic_load) are
 * also release/acquire: message passing through a seq_cst flag is race free. */
#include <goroutine.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

static char greeting[32];
static atomic_bool ready;
static waitgroup_t wg;

static void writer(void *arg)
{
    (void)arg;
    strcpy(greeting, "seq_cst hello");
    atomic_store(&ready, true);
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 1);
    go(writer, NULL);
    while (!atomic_load(&ready))
        go_yield();
    int ok = strcmp(greeting, "seq_cst hello") == 0;
    wg_wait(&wg);
    return ok ? 0 : 1;
}
