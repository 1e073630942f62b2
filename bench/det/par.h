/*
 * par.h - "run these workers in parallel and wait for all of them", written once so the
 * detector benchmarks are the same source whether their workers are goroutines (built
 * plain or instrumented against libracedemo) or pthreads (built plain or with the
 * compiler's own ThreadSanitizer, which knows nothing of goroutines).  -DBENCH_PTHREADS
 * selects pthreads.  Either way the start of a worker happens after par_run is called
 * and its end happens before par_run returns (go + WaitGroup, or create + join).
 */
#ifndef RACEDEMO_BENCH_PAR_H
#define RACEDEMO_BENCH_PAR_H

#define PAR_MAX 8

#ifdef BENCH_PTHREADS
#include <pthread.h>

static void par_run(int n, void *(*fn)(void *), void **args)
{
    pthread_t t[PAR_MAX];
    for (int i = 0; i < n; i++)
        if (pthread_create(&t[i], NULL, fn, args[i]) != 0)
            abort();
    for (int i = 0; i < n; i++)
        pthread_join(t[i], NULL);
}
#define PAR_IMPL "pthreads"
#else
#include <goroutine.h>

typedef struct par_task {
    void *(*fn)(void *);
    void *arg;
    waitgroup_t *wg;
} par_task;

static void par_trampoline(void *p)
{
    par_task *t = p;
    t->fn(t->arg);
    wg_done(t->wg);
}

static void par_run(int n, void *(*fn)(void *), void **args)
{
    par_task t[PAR_MAX];
    waitgroup_t wg = {0};
    wg_add(&wg, n);
    for (int i = 0; i < n; i++) {
        t[i] = (par_task){fn, args[i], &wg};
        go(par_trampoline, &t[i]);
    }
    wg_wait(&wg);
}
#define PAR_IMPL "goroutines"
#endif

#endif
