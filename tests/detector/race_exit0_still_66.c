/* A racy program that calls exit(0) still exits with status 66. */
#include <goroutine.h>
#include <stdio.h>
#include <stdlib.h>

static volatile int shared;
static waitgroup_t wg;

static void writer(void *arg)
{
    (void)arg;
    shared = 1;
    wg_done(&wg);
}

int main(void)
{
    wg_add(&wg, 1);
    go(writer, NULL);
    shared = 2;
    wg_wait(&wg);
    exit(0);
}
