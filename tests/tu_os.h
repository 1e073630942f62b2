/*
 * tu_os.h - real OS threads for the tests that need them (biased regions moving between
 * threads, a crash on a thread the runtime does not run).  Test programs link with the
 * wrap flags, which turn pthreads into goroutines (runtime/pthread.c); these names bind
 * to glibc past --wrap, as runtime/os.h does for the runtime.  Include after <pthread.h>.
 */
#ifndef RACEDEMO_TU_OS_H
#define RACEDEMO_TU_OS_H

#include <pthread.h>
#include <sched.h>

#define TU_OS(ret, name, ver, params) \
    ret tu_os_##name params;          \
    __asm__(".symver tu_os_" #name "," #name "@" ver)

TU_OS(int, pthread_create, "GLIBC_2.2.5", (pthread_t *, const pthread_attr_t *, void *(*)(void *), void *));
TU_OS(int, pthread_join, "GLIBC_2.2.5", (pthread_t, void **));
TU_OS(int, pthread_barrier_init, "GLIBC_2.2.5", (pthread_barrier_t *, const pthread_barrierattr_t *, unsigned));
TU_OS(int, pthread_barrier_wait, "GLIBC_2.2.5", (pthread_barrier_t *));
TU_OS(int, sched_yield, "GLIBC_2.2.5", (void));

#define pthread_create tu_os_pthread_create
#define pthread_join tu_os_pthread_join
#define pthread_barrier_init tu_os_pthread_barrier_init
#define pthread_barrier_wait tu_os_pthread_barrier_wait
#define sched_yield tu_os_sched_yield

#endif
