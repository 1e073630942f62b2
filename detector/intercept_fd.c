/*
 * intercept_fd.c - file descriptors as sync objects: what one goroutine writes to a pipe,
 * socket or file happens before what another reads from it, as the kernel orders the
 * bytes themselves.  Without this, a worker that fills a result and then writes a byte to
 * a pipe as its "done" signal is reported racing with the reader of the pipe (a false
 * race: Go's race mode orders every write(2) before every later read(2) for that reason,
 * through one global object; ThreadSanitizer keeps one per descriptor, as here).
 *
 * Each descriptor number has a cell of fd_cell, whose address is the sync object; a
 * write releases (merging) into the cell, a read acquires from it.  The two ends of a
 * pipe or socketpair, and a dup's copy, share one cell: fd_alias maps a descriptor to the
 * cell's number plus one (0: its own).  A cell is forgotten when the descriptor that
 * owns it is created (pipe, socketpair) or closed (close, fclose), so a reused number
 * starts unordered.
 * Descriptors made elsewhere (open, socket, accept) use their own cell.  Numbers from
 * FD_MAX up are not tracked: their I/O orders nothing (a possible false race, never a
 * hidden one).
 *
 * fd_alias is written by whichever goroutine creates or closes a descriptor and read by
 * any, with relaxed atomics: a goroutine racing close(fd) against I/O on fd has a bug of
 * its own, and the worst here is an edge to the wrong cell.  The runtime's own
 * descriptors (the symbolizer's files, the paging's userfaultfd) are left alone: their
 * calls may come while the detector holds its locks.
 */
#define _GNU_SOURCE
#include "intercept.h"

#include <sys/socket.h>
#include <unistd.h>

enum { FD_MAX = 1 << 16 };

static uint64_t fd_cell[FD_MAX]; /* 8 bytes apart: one granule each (forgotten whole) */
static int32_t fd_alias[FD_MAX];
static uint8_t fd_local[FD_MAX];  /* an end of a pipe or socketpair this process made */

static const void *fd_sync(int fd)
{
    if (fd < 0 || fd >= FD_MAX)
        return NULL;
    int32_t a = __atomic_load_n(&fd_alias[fd], __ATOMIC_RELAXED);
    return &fd_cell[a ? a - 1 : fd];
}

void icpt_fd_release(race_gs *gs, int fd)
{
    const void *s = fd_sync(fd);
    if (s)
        race_sync_release(gs, (uintptr_t)s, true);
}

void icpt_fd_acquire(race_gs *gs, int fd)
{
    const void *s = fd_sync(fd);
    if (s)
        race_sync_acquire(gs, (uintptr_t)s);
}

/* fd starts over with a cell of its own (a new descriptor, or a closed one). */
static void fd_fresh(int fd)
{
    if (fd < 0 || fd >= FD_MAX)
        return;
    __atomic_store_n(&fd_alias[fd], 0, __ATOMIC_RELAXED);
    __atomic_store_n(&fd_local[fd], 0, __ATOMIC_RELAXED);
    race_sync_forget_granule((uintptr_t)&fd_cell[fd]);
}

/* to uses from's cell. */
static void fd_share(int to, int from)
{
    if (to < 0 || to >= FD_MAX || from < 0 || from >= FD_MAX || to == from)
        return;
    int32_t a = __atomic_load_n(&fd_alias[from], __ATOMIC_RELAXED);
    __atomic_store_n(&fd_alias[to], a ? a : from + 1, __ATOMIC_RELAXED);
    __atomic_store_n(&fd_local[to], __atomic_load_n(&fd_local[from], __ATOMIC_RELAXED), __ATOMIC_RELAXED);
}

bool icpt_fd_in_process(int fd)
{
    return fd >= 0 && fd < FD_MAX && __atomic_load_n(&fd_local[fd], __ATOMIC_RELAXED);
}

/* Should the caller at ra have its descriptors tracked? */
static bool fd_tracked(uintptr_t ra)
{
    return race_enabled && !icpt_is_runtime(ra);
}

static void fd_pair(int r, const int fds[2], uintptr_t ra)
{
    if (r != 0 || !fd_tracked(ra))
        return;
    fd_fresh(fds[0]);
    fd_fresh(fds[1]);
    __atomic_store_n(&fd_local[fds[0]], 1, __ATOMIC_RELAXED);
    fd_share(fds[1], fds[0]);
}

int __real_pipe(int[2]);
int __real_pipe2(int[2], int);
int __real_socketpair(int, int, int, int[2]);
int __real_close(int);
int __real_fclose(FILE *);
int __real_dup(int);
int __real_dup2(int, int);
int __real_dup3(int, int, int);

int __wrap_pipe(int fds[2])
{
    int r = __real_pipe(fds);
    fd_pair(r, fds, ICPT_CALLER());
    return r;
}

int __wrap_pipe2(int fds[2], int flags)
{
    int r = __real_pipe2(fds, flags);
    fd_pair(r, fds, ICPT_CALLER());
    return r;
}

int __wrap_socketpair(int domain, int type, int proto, int fds[2])
{
    int r = __real_socketpair(domain, type, proto, fds);
    fd_pair(r, fds, ICPT_CALLER());
    return r;
}

/* Forgotten before the descriptor goes: once closed, its number is anyone's. */
int __wrap_close(int fd)
{
    if (fd_tracked(ICPT_CALLER()))
        fd_fresh(fd);
    return __real_close(fd);
}

/* fclose closes the descriptor inside libc, past the close wrapper. */
int __wrap_fclose(FILE *f)
{
    if (f && fd_tracked(ICPT_CALLER()))
        fd_fresh(icpt_fileno(f));
    return __real_fclose(f);
}

int __wrap_dup(int fd)
{
    int r = __real_dup(fd);
    if (r >= 0 && fd_tracked(ICPT_CALLER())) {
        fd_fresh(r);
        fd_share(r, fd);
    }
    return r;
}

int __wrap_dup2(int fd, int to)
{
    int r = __real_dup2(fd, to);
    if (r >= 0 && r != fd && fd_tracked(ICPT_CALLER())) {
        fd_fresh(r);
        fd_share(r, fd);
    }
    return r;
}

int __wrap_dup3(int fd, int to, int flags)
{
    int r = __real_dup3(fd, to, flags);
    if (r >= 0 && fd_tracked(ICPT_CALLER())) {
        fd_fresh(r);
        fd_share(r, fd);
    }
    return r;
}
