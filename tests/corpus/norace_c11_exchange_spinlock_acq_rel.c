/* A test-and-set spinlock from C11 atomic_exchange_explicit(acquire) and
 * atomic_store_explicit(release) protects a plain linked list. */
#include <goroutine.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

struct node {
    int value;
    struct node *next;
};

static atomic_int locked;
static struct node *head;
static waitgroup_t wg;

static void push(int v)
{
    while (atomic_exchange_explicit(&locked, 1, memory_order_acquire))
        go_yield();
    struct node *n = malloc(sizeof *n);
    n->value = v;
    n->next = head;
    head = n;
    atomic_store_explicit(&locked, 0, memory_order_release);
}

static void worker(void *arg)
{
    int base = (int)(intptr_t)arg;
    for (int i = 0; i < 20; i++) {
        push(base + i);
        go_yield();
    }
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 2);
    go(worker, (void *)0);
    go(worker, (void *)100);
    wg_wait(&wg);
    int n = 0;
    while (head) {
        struct node *next = head->next;
        free(head);
        head = next;
        n++;
    }
    return n == 40 ? 0 : 1;
}
