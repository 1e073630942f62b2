/*
 * os.h - the runtime's own OS threads, locks and sleeps, bound to glibc past --wrap.
 *
 * Programs linked with the wrap flags (racecc, racedemo check, racedemo.pc) run the
 * user's pthreads as goroutines: --wrap=pthread_mutex_lock sends every reference in the
 * link to pthread.c's goroutine mutex, the runtime's own included.  But the scheduler's
 * idle Ms must block for real on real pthread objects.  So runtime and detector code
 * never names a wrapped function: it calls rt_os_<name>, which .symver binds to glibc's
 * symbol at a fixed version.  A versioned reference is not renamed by --wrap, and needs
 * no __real_ symbol, so it links the same with and without the wrap flags.
 *
 * The versions are x86-64's (like ctx_x86_64.S): the oldest of each symbol that has
 * today's ABI (pthread_cond_* changed layout in 2.3.2).
 */
#ifndef RACEDEMO_OS_H
#define RACEDEMO_OS_H

#include <pthread.h>
#include <time.h>
#include <unistd.h>

#define RT_OS(ret, name, ver, params) \
    ret rt_os_##name params;          \
    __asm__(".symver rt_os_" #name "," #name "@" ver)

RT_OS(int, pthread_create, "GLIBC_2.2.5", (pthread_t *, const pthread_attr_t *, void *(*)(void *), void *));
RT_OS(int, pthread_detach, "GLIBC_2.2.5", (pthread_t));
RT_OS(pthread_t, pthread_self, "GLIBC_2.2.5", (void));
RT_OS(int, pthread_getattr_np, "GLIBC_2.2.5", (pthread_t, pthread_attr_t *));
RT_OS(int, pthread_mutex_init, "GLIBC_2.2.5", (pthread_mutex_t *, const pthread_mutexattr_t *));
RT_OS(int, pthread_mutex_lock, "GLIBC_2.2.5", (pthread_mutex_t *));
RT_OS(int, pthread_mutex_trylock, "GLIBC_2.2.5", (pthread_mutex_t *));
RT_OS(int, pthread_mutex_unlock, "GLIBC_2.2.5", (pthread_mutex_t *));
RT_OS(int, pthread_cond_init, "GLIBC_2.3.2", (pthread_cond_t *, const pthread_condattr_t *));
RT_OS(int, pthread_cond_wait, "GLIBC_2.3.2", (pthread_cond_t *, pthread_mutex_t *));
RT_OS(int, pthread_cond_timedwait, "GLIBC_2.3.2", (pthread_cond_t *, pthread_mutex_t *, const struct timespec *));
RT_OS(int, pthread_cond_signal, "GLIBC_2.3.2", (pthread_cond_t *));
RT_OS(int, pthread_cond_broadcast, "GLIBC_2.3.2", (pthread_cond_t *));
RT_OS(int, pthread_once, "GLIBC_2.2.5", (pthread_once_t *, void (*)(void)));
RT_OS(int, sched_yield, "GLIBC_2.2.5", (void));
/* errno without --wrap=__errno_location's pinning (tls.c): for runtime code that keeps
 * the user's errno intact across its own system calls. */
RT_OS(int *, __errno_location, "GLIBC_2.2.5", (void));
#define RT_ERRNO (*rt_os___errno_location())
RT_OS(int, nanosleep, "GLIBC_2.2.5", (const struct timespec *, struct timespec *));

#endif
