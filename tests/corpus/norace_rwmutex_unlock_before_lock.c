/* sync.RWMutex used only through Lock/Unlock behaves as a mutex: each Unlock happens
 * before the next Lock returns.  Three writers append to a shared log. */
#include <goroutine.h>
#include <stdio.h>

static int log_buf[64];
static int log_len;
static rwmutex_t rw;
static waitgroup_t wg;

static void writer(void *arg)
{
    int id = (int)(intptr_t)arg;
    for (int i = 0; i < 10; i++) {
        rwmutex_lock(&rw);
        log_buf[log_len++] = id;
        rwmutex_unlock(&rw);
        go_yield();
    }
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 3);
    for (int i = 0; i < 3; i++)
        go(writer, (void *)(intptr_t)i);
    wg_wait(&wg);
    return log_len == 30 ? 0 : 1;
}
