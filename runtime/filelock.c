/*
 * filelock.c - flockfile, ftrylockfile and funlockfile for goroutines.
 *
 * glibc's FILE lock is recursive by OS thread: every goroutine of an M counts as its
 * owner, so three threads bracketing their printf calls with flockfile(stdout) printed
 * interleaved lines at procs = 1.  And a holder that waited on a condition variable kept
 * glibc's lock on its M's thread, so another M's printf blocked that whole thread in a
 * futex and the program hung at procs = 2.  Here the lock is the goroutine's: a recursive
 * mutex per FILE, never glibc's (which each stdio call still takes for itself, briefly).
 * The detector's stdio wrappers call filelock_wait first (icpt_fileno), so a plain printf
 * by another goroutine waits for the holder as it would under glibc.  Its edges are a
 * mutex's: funlockfile before the next flockfile of that FILE.
 *
 * Locking: fl.lock (an rt_lock) guards the table; an entry, once made, lives as long as
 * the process (a program has few FILEs), and its owner/depth change only under its mutex.
 * filelock_used is set once the first entry exists: until then filelock_wait is one load.
 */
#define _GNU_SOURCE
#include "rt.h"
#include "os.h"

#include <stdio.h>
#include <stdlib.h>
#include <uthash.h>

RT_OS(void, flockfile, "GLIBC_2.2.5", (FILE *));
RT_OS(int, ftrylockfile, "GLIBC_2.2.5", (FILE *));
RT_OS(void, funlockfile, "GLIBC_2.2.5", (FILE *));

typedef struct fl_file {
    FILE *f;
    mutex_t mu;
    int64_t owner; /* goroutine id holding it, 0 if none */
    int depth;
    UT_hash_handle hh;
} fl_file;

static struct {
    uint32_t lock;
    fl_file *byfile;
} fl;
bool filelock_used;

static fl_file *fl_find(FILE *f, bool make)
{
    fl_file *e;
    rt_lock(&fl.lock);
    HASH_FIND_PTR(fl.byfile, &f, e);
    if (!e && make) {
        if (!(e = calloc(1, sizeof *e)))
            rt_throw("out of memory for flockfile");
        e->f = f;
        HASH_ADD_PTR(fl.byfile, f, e);
        __atomic_store_n(&filelock_used, true, __ATOMIC_RELEASE);
    }
    rt_unlock(&fl.lock);
    return e;
}

/* Take f for the calling goroutine (again, if it holds it); false if `try` and another
 * goroutine holds it. */
static bool fl_acquire(FILE *f, bool try)
{
    fl_file *e = fl_find(f, true);
    int64_t me = go_id();
    if (__atomic_load_n(&e->owner, __ATOMIC_RELAXED) != me) {
        if (!try)
            mutex_lock(&e->mu);
        else if (!mutex_trylock(&e->mu))
            return false;
        e->owner = me;
    }
    e->depth++;
    return true;
}

void __wrap_flockfile(FILE *f);
void __wrap_flockfile(FILE *f)
{
    if (sched_on_goroutine())
        fl_acquire(f, false);
    else
        rt_os_flockfile(f);
}

int __wrap_ftrylockfile(FILE *f);
int __wrap_ftrylockfile(FILE *f)
{
    if (!sched_on_goroutine())
        return rt_os_ftrylockfile(f);
    return fl_acquire(f, true) ? 0 : 1;
}

void __wrap_funlockfile(FILE *f);
void __wrap_funlockfile(FILE *f)
{
    if (!sched_on_goroutine()) {
        rt_os_funlockfile(f);
        return;
    }
    fl_file *e = fl_find(f, false);
    if (!e || __atomic_load_n(&e->owner, __ATOMIC_RELAXED) != go_id())
        return; /* not held by this thread: undefined in POSIX, ignored here */
    if (--e->depth == 0) {
        __atomic_store_n(&e->owner, 0, __ATOMIC_RELAXED);
        mutex_unlock(&e->mu);
    }
}

void filelock_wait_slow(FILE *f)
{
    if (!f || !sched_on_goroutine())
        return;
    fl_file *e = fl_find(f, false);
    if (!e)
        return;
    int64_t owner = __atomic_load_n(&e->owner, __ATOMIC_RELAXED);
    if (owner && owner != go_id()) {
        mutex_lock(&e->mu);
        mutex_unlock(&e->mu);
    }
}
