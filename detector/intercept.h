/*
 * intercept.h - what the libc interceptors (intercept*.c) share: who is calling, and the
 * ranged checks.  A wrapper checks an access only when a goroutine calls it from user
 * code; the runtime's own calls (its copies, its reports through write(2) and vsnprintf)
 * pass straight through.
 */
#ifndef RACEDEMO_INTERCEPT_H
#define RACEDEMO_INTERCEPT_H

#include "detector.h"
#include "../runtime/os.h"

#include <errno.h>
#include <stdio.h>

/* Is pc inside the racedemo runtime's or detector's code?  The table is built at start-up
 * (icpt_prepare, from race_init), never later: a first call from a signal handler (the
 * crash report writes with write(2)) must not read DWARF there. */
bool icpt_is_runtime(uintptr_t pc);

/* The calling goroutine's state if the call comes from user code, else NULL. */
static inline race_gs *icpt_user(uintptr_t ra)
{
    if (!race_enabled)
        return NULL;
    race_gs *gs = race_cur();
    if (!gs || icpt_is_runtime(ra))
        return NULL;
    return gs;
}

/* Where a wrapper was called from, and which wrapper: a report shows the libc function
 * as the top frame ("memcpy()"), above the user's call, as Go shows runtime.slicecopy. */
typedef struct icpt_site {
    uintptr_t ra, op;
} icpt_site;
#define ICPT_AT(fn) ((icpt_site){ICPT_CALLER(), (uintptr_t)(fn)})
#define ICPT_CALLER() ((uintptr_t)__builtin_return_address(0))

static inline void icpt_read(race_gs *gs, const void *p, size_t n, icpt_site at)
{
    if (n)
        race_access_as_op(gs, (uintptr_t)p, n, RACE_READ, at.ra, at.op);
}

static inline void icpt_write(race_gs *gs, void *p, size_t n, icpt_site at)
{
    if (n)
        race_access_as_op(gs, (uintptr_t)p, n, RACE_WRITE, at.ra, at.op);
}

size_t __real_strlen(const char *);
size_t __real_strnlen(const char *, size_t);

/* intercept.c's heap bookkeeping, for functions that allocate or free inside libc: a
 * block of n bytes allocated (for reports), a block of n usable bytes about to be freed
 * (a write to all of it by the caller at ra, then forgotten). */
void icpt_heap_note(void *p, size_t n, icpt_site at);
void icpt_heap_forget(void *p, size_t n, uintptr_t ra);

/* The descriptor under a stream, or -1 (fmemopen's have none), errno untouched. */
/* The FILE's descriptor, errno untouched; first waits while another goroutine holds f
 * by flockfile (runtime/filelock.c), as glibc's own lock would make it. */
static inline int icpt_fileno(FILE *f)
{
    filelock_wait(f);
    int e = RT_ERRNO, fd = f ? fileno(f) : -1;
    RT_ERRNO = e;
    return fd;
}

/* intercept_io.c: at procs = 1, before an I/O call on fd that may block, let the
 * runnable goroutines run while fd is not ready (events: POLLIN or POLLOUT). */
void icpt_io_wait(int fd, short events, FILE *f, uintptr_t ra);

/* intercept_fd.c: what is written to descriptor fd happens before what is read from it
 * afterwards (fd < 0: nothing). */
void icpt_fd_release(race_gs *gs, int fd);
void icpt_fd_acquire(race_gs *gs, int fd);
/* Is fd an end of a pipe or socketpair the program made (under the detector)?  Only its
 * own goroutines can then be the ones to write or read the other end. */
bool icpt_fd_in_process(int fd);

/* A NUL-terminated string's bytes, terminator included. */
static inline void icpt_read_str(race_gs *gs, const char *s, icpt_site at)
{
    if (s)
        icpt_read(gs, s, __real_strlen(s) + 1, at);
}

#endif
