/*
 * intercept_io.c - stdio and unistd buffers as ranged accesses: what read, fread, fgets
 * and getline store, what write, fwrite and fputs send (see intercept.c for how wrappers
 * tell the user's calls from the runtime's).
 *
 * Sockets the same way: recv, recvfrom, send, sendto; readv and writev per iovec,
 * sendmsg and recvmsg per iovec plus the message header, address and control data.
 *
 * At procs = 1 a read that blocks stops every goroutine, the one that would write the
 * pipe included, and the program hangs; Go parks the goroutine on its netpoller instead.
 * So a goroutine about to read a pipe, socket or terminal with nothing to read (a poll
 * that does not wait) yields to the runnable goroutines first, again and again, and
 * blocks for real only once none is left (icpt_io_wait; the same for a write to a full
 * pipe).  The poll answers depend only on the schedule for in-process pipes, so a seed
 * still decides the run.  When nothing else can run but a goroutine sleeps and fd is a
 * pipe or socketpair end the program made, the reader sleeps until that wake-up instead
 * (virtual time at procs = 1), so a writer that sleeps first is not waited for forever.
 * Not covered: stdio writes (buffered).
 *
 * Every write to a descriptor also releases into the descriptor's sync object and every
 * read acquires from it (intercept_fd.c), so data handed over through a pipe or socket
 * is ordered as the kernel orders it.  With _FORTIFY_SOURCE, glibc's headers call
 * __read_chk, __fgets_chk... instead; those are wrapped too, and still do their own
 * checks.
 */
#define _GNU_SOURCE
#include "intercept.h"

#include <malloc.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* ---- not blocking the only thread ---------------------------------------------------------------- */

/* Called from the user's call at ra before an I/O call on fd that may block (events:
 * POLLIN or POLLOUT); f: the stream, whose buffer may already hold what a read wants. */
void icpt_io_wait(int fd, short events, FILE *f, uintptr_t ra)
{
    if (rt_multi || fd < 0 || !rt_curg || icpt_is_runtime(ra))
        return;
    if (f && f->_IO_read_ptr < f->_IO_read_end)
        return;
    for (;;) {
        /* alone, the only hope for an in-process pipe is a sleeper: the virtual clock
         * jumps to its wake-up, as it would if this goroutine were parked */
        bool others = sched_nrunnable() != 0;
        int64_t next = others ? 0 : sched_next_timer_ns();
        if (!others && (next == INT64_MAX || !icpt_fd_in_process(fd)))
            return; /* block for real; no syscall when alone */
        struct pollfd p = {.fd = fd, .events = events};
        if (poll(&p, 1, 0) != 0)
            return;
        if (others)
            go_yield();
        else
            sched_sleep_until(next);
    }
}

/* ---- stdio and unistd buffers ------------------------------------------------------------------------ */

int __real_puts(const char *);
int __real_fputs(const char *, FILE *);
size_t __real_fwrite(const void *, size_t, size_t, FILE *);
size_t __real_fread(void *, size_t, size_t, FILE *);
char *__real_fgets(char *, int, FILE *);
ssize_t __real_read(int, void *, size_t);
ssize_t __real_pread(int, void *, size_t, off_t);
ssize_t __real_write(int, const void *, size_t);
ssize_t __real_pwrite(int, const void *, size_t, off_t);

/* What a write sends: n bytes at p (or the string p, n = SIZE_MAX) read, and fd released
 * into, before the call. */
static void write_check(int fd, const void *p, size_t n, icpt_site at)
{
    race_gs *gs = icpt_user(at.ra);
    if (!gs)
        return;
    if (n == SIZE_MAX)
        icpt_read_str(gs, p, at);
    else
        icpt_read(gs, p, n, at);
    icpt_fd_release(gs, fd);
}

int __wrap_puts(const char *s)
{
    write_check(icpt_fileno(stdout), s, SIZE_MAX, ICPT_AT(__wrap_puts));
    return __real_puts(s);
}

int __wrap_fputs(const char *s, FILE *f)
{
    write_check(icpt_fileno(f), s, SIZE_MAX, ICPT_AT(__wrap_fputs));
    return __real_fputs(s, f);
}

size_t __wrap_fwrite(const void *p, size_t size, size_t n, FILE *f)
{
    if (!size || n < SIZE_MAX / size)
        write_check(icpt_fileno(f), p, size * n, ICPT_AT(__wrap_fwrite));
    return __real_fwrite(p, size, n, f);
}

/* Character I/O: no user buffer to check, but the fd edges all the same (a byte put into
 * a pipe before the reader takes it), and at procs = 1 a reader waits for data the way
 * fread does: a thread reading a pipe with fgetc blocked the only M, and the writer
 * never ran. */
int __real_fgetc(FILE *);
int __real_getc(FILE *);
int __real_getchar(void);
int __real_fputc(int, FILE *);
int __real_putc(int, FILE *);
int __real_putchar(int);
int __real_fflush(FILE *);

static int getc_done(FILE *f, int c, icpt_site at)
{
    race_gs *gs = icpt_user(at.ra);
    if (gs && c != EOF)
        icpt_fd_acquire(gs, icpt_fileno(f));
    return c;
}

static void put_check(FILE *f, icpt_site at)
{
    race_gs *gs = icpt_user(at.ra);
    if (gs)
        icpt_fd_release(gs, icpt_fileno(f));
}

int __wrap_fgetc(FILE *f)
{
    icpt_io_wait(icpt_fileno(f), POLLIN, f, ICPT_CALLER());
    return getc_done(f, __real_fgetc(f), ICPT_AT(__wrap_fgetc));
}

int __wrap_getc(FILE *f)
{
    icpt_io_wait(icpt_fileno(f), POLLIN, f, ICPT_CALLER());
    return getc_done(f, __real_getc(f), ICPT_AT(__wrap_getc));
}

int __wrap_getchar(void)
{
    icpt_io_wait(icpt_fileno(stdin), POLLIN, stdin, ICPT_CALLER());
    return getc_done(stdin, __real_getchar(), ICPT_AT(__wrap_getchar));
}

int __wrap_fputc(int c, FILE *f)
{
    put_check(f, ICPT_AT(__wrap_fputc));
    return __real_fputc(c, f);
}

int __wrap_putc(int c, FILE *f)
{
    put_check(f, ICPT_AT(__wrap_putc));
    return __real_putc(c, f);
}

int __wrap_putchar(int c)
{
    put_check(stdout, ICPT_AT(__wrap_putchar));
    return __real_putchar(c);
}

int __wrap_fflush(FILE *f)
{
    if (f)
        put_check(f, ICPT_AT(__wrap_fflush));
    return __real_fflush(f);
}

/* Reads write what they return; a short read leaves the rest of the buffer alone.  Each
 * has a _FORTIFY_SOURCE form with the buffer's size added. */
size_t __real___fread_chk(void *, size_t, size_t, size_t, FILE *);
char *__real___fgets_chk(char *, size_t, int, FILE *);
ssize_t __real___read_chk(int, void *, size_t, size_t);
ssize_t __real___pread_chk(int, void *, size_t, off_t, size_t);

/* What a read from fd received: fd acquired from, then n bytes at p written. */
static void read_done(int fd, void *p, size_t n, icpt_site at)
{
    race_gs *gs = icpt_user(at.ra);
    if (!gs)
        return;
    icpt_fd_acquire(gs, fd);
    icpt_write(gs, p, n, at);
}

static char *fgets_done(FILE *f, char *s, int n, char *r, icpt_site at)
{
    read_done(icpt_fileno(f), s, r ? __real_strnlen(s, (size_t)n) + 1 : 0, at);
    return r;
}

static ssize_t sys_read_done(int fd, void *p, ssize_t r, icpt_site at)
{
    read_done(fd, p, r > 0 ? (size_t)r : 0, at);
    return r;
}

size_t __wrap_fread(void *p, size_t size, size_t n, FILE *f)
{
    icpt_io_wait(icpt_fileno(f), POLLIN, f, ICPT_CALLER());
    size_t r = __real_fread(p, size, n, f);
    read_done(icpt_fileno(f), p, size * r, ICPT_AT(__wrap_fread));
    return r;
}

size_t __wrap___fread_chk(void *p, size_t pn, size_t size, size_t n, FILE *f)
{
    icpt_io_wait(icpt_fileno(f), POLLIN, f, ICPT_CALLER());
    size_t r = __real___fread_chk(p, pn, size, n, f);
    read_done(icpt_fileno(f), p, size * r, ICPT_AT(__wrap___fread_chk));
    return r;
}

char *__wrap_fgets(char *s, int n, FILE *f)
{
    icpt_io_wait(icpt_fileno(f), POLLIN, f, ICPT_CALLER());
    return fgets_done(f, s, n, __real_fgets(s, n, f), ICPT_AT(__wrap_fgets));
}

char *__wrap___fgets_chk(char *s, size_t sn, int n, FILE *f)
{
    icpt_io_wait(icpt_fileno(f), POLLIN, f, ICPT_CALLER());
    return fgets_done(f, s, n, __real___fgets_chk(s, sn, n, f), ICPT_AT(__wrap___fgets_chk));
}

ssize_t __wrap_read(int fd, void *p, size_t n)
{
    icpt_io_wait(fd, POLLIN, NULL, ICPT_CALLER());
    return sys_read_done(fd, p, __real_read(fd, p, n), ICPT_AT(__wrap_read));
}

ssize_t __wrap___read_chk(int fd, void *p, size_t n, size_t pn)
{
    icpt_io_wait(fd, POLLIN, NULL, ICPT_CALLER());
    return sys_read_done(fd, p, __real___read_chk(fd, p, n, pn), ICPT_AT(__wrap___read_chk));
}

ssize_t __wrap_pread(int fd, void *p, size_t n, off_t off)
{
    return sys_read_done(fd, p, __real_pread(fd, p, n, off), ICPT_AT(__wrap_pread));
}

ssize_t __wrap___pread_chk(int fd, void *p, size_t n, off_t off, size_t pn)
{
    return sys_read_done(fd, p, __real___pread_chk(fd, p, n, off, pn), ICPT_AT(__wrap___pread_chk));
}

/* getline and getdelim read and store *line and *cap, and may move the buffer with
 * libc's own realloc, which no wrapper sees: the old block is then forgotten as freed by
 * the caller (a write to all of it), the new one noted.  Then the line and its NUL.
 * glibc's headers inline getline as __getdelim. */
ssize_t __real_getdelim(char **, size_t *, int, FILE *);

static ssize_t line_read(char **line, size_t *cap, int delim, FILE *f, icpt_site at)
{
    icpt_io_wait(icpt_fileno(f), POLLIN, f, at.ra);
    race_gs *gs = icpt_user(at.ra);
    if (!gs)
        return __real_getdelim(line, cap, delim, f);
    icpt_read(gs, line, sizeof *line, at);
    icpt_read(gs, cap, sizeof *cap, at);
    char *old = *line;
    size_t oldn = old ? malloc_usable_size(old) : 0;
    ssize_t r = __real_getdelim(line, cap, delim, f);
    icpt_fd_acquire(gs, icpt_fileno(f));
    icpt_write(gs, line, sizeof *line, at);
    icpt_write(gs, cap, sizeof *cap, at);
    if (*line != old) {
        icpt_heap_forget(old, oldn, at.ra);
        if (*line)
            icpt_heap_note(*line, *cap, at);
    }
    if (r >= 0)
        icpt_write(gs, *line, (size_t)r + 1, at);
    return r;
}

ssize_t __wrap_getline(char **line, size_t *cap, FILE *f)
{
    return line_read(line, cap, '\n', f, ICPT_AT(__wrap_getline));
}

ssize_t __wrap_getdelim(char **line, size_t *cap, int delim, FILE *f)
{
    return line_read(line, cap, delim, f, ICPT_AT(__wrap_getdelim));
}

ssize_t __wrap___getdelim(char **line, size_t *cap, int delim, FILE *f)
{
    return line_read(line, cap, delim, f, ICPT_AT(__wrap___getdelim));
}

ssize_t __wrap_write(int fd, const void *p, size_t n)
{
    icpt_io_wait(fd, POLLOUT, NULL, ICPT_CALLER());
    if (n < SIZE_MAX)
        write_check(fd, p, n, ICPT_AT(__wrap_write));
    return __real_write(fd, p, n);
}

ssize_t __wrap_pwrite(int fd, const void *p, size_t n, off_t off)
{
    if (n < SIZE_MAX)
        write_check(fd, p, n, ICPT_AT(__wrap_pwrite));
    return __real_pwrite(fd, p, n, off);
}

/* ---- sockets and vectors ------------------------------------------------------------------------- */

ssize_t __real_recv(int, void *, size_t, int);
ssize_t __real_recvfrom(int, void *, size_t, int, struct sockaddr *, socklen_t *);
ssize_t __real_send(int, const void *, size_t, int);
ssize_t __real_sendto(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
ssize_t __real_readv(int, const struct iovec *, int);
ssize_t __real___recv_chk(int, void *, size_t, size_t, int);
ssize_t __real___recvfrom_chk(int, void *, size_t, size_t, int, struct sockaddr *, socklen_t *);
ssize_t __real_writev(int, const struct iovec *, int);

ssize_t __wrap_recv(int fd, void *p, size_t n, int flags)
{
    icpt_io_wait(fd, POLLIN, NULL, ICPT_CALLER());
    return sys_read_done(fd, p, __real_recv(fd, p, n, flags), ICPT_AT(__wrap_recv));
}

ssize_t __wrap___recv_chk(int fd, void *p, size_t n, size_t pn, int flags)
{
    icpt_io_wait(fd, POLLIN, NULL, ICPT_CALLER());
    return sys_read_done(fd, p, __real___recv_chk(fd, p, n, pn, flags), ICPT_AT(__wrap___recv_chk));
}

/* recvfrom also stores the sender's address, as much as *alen said there was room for. */
static ssize_t from_done(ssize_t r, struct sockaddr *from, socklen_t *alen, socklen_t room,
                         icpt_site at)
{
    race_gs *gs = r >= 0 && from && alen ? icpt_user(at.ra) : NULL;
    if (gs) {
        icpt_write(gs, alen, sizeof *alen, at);
        icpt_write(gs, from, *alen < room ? *alen : room, at);
    }
    return r;
}

ssize_t __wrap_recvfrom(int fd, void *p, size_t n, int flags, struct sockaddr *from,
                        socklen_t *alen)
{
    icpt_site at = ICPT_AT(__wrap_recvfrom);
    icpt_io_wait(fd, POLLIN, NULL, at.ra);
    socklen_t room = alen ? *alen : 0;
    ssize_t r = sys_read_done(fd, p, __real_recvfrom(fd, p, n, flags, from, alen), at);
    return from_done(r, from, alen, room, at);
}

ssize_t __wrap___recvfrom_chk(int fd, void *p, size_t n, size_t pn, int flags,
                              struct sockaddr *from, socklen_t *alen)
{
    icpt_site at = ICPT_AT(__wrap___recvfrom_chk);
    icpt_io_wait(fd, POLLIN, NULL, at.ra);
    socklen_t room = alen ? *alen : 0;
    ssize_t r = sys_read_done(fd, p, __real___recvfrom_chk(fd, p, n, pn, flags, from, alen), at);
    return from_done(r, from, alen, room, at);
}

ssize_t __wrap_send(int fd, const void *p, size_t n, int flags)
{
    icpt_io_wait(fd, POLLOUT, NULL, ICPT_CALLER());
    if (n < SIZE_MAX)
        write_check(fd, p, n, ICPT_AT(__wrap_send));
    return __real_send(fd, p, n, flags);
}

ssize_t __wrap_sendto(int fd, const void *p, size_t n, int flags, const struct sockaddr *to,
                      socklen_t tolen)
{
    icpt_site at = ICPT_AT(__wrap_sendto);
    icpt_io_wait(fd, POLLOUT, NULL, at.ra);
    if (n < SIZE_MAX)
        write_check(fd, p, n, at);
    race_gs *gs = to ? icpt_user(at.ra) : NULL;
    if (gs)
        icpt_read(gs, to, tolen, at);
    return __real_sendto(fd, p, n, flags, to, tolen);
}

/* A vector's buffers in order: readv filled the first `filled` bytes (fills), writev
 * sends them all; the iovec array itself is read. */
static void iov_check(race_gs *gs, const struct iovec *v, int n, size_t filled, bool fills,
                      icpt_site at)
{
    if (n <= 0)
        return;
    icpt_read(gs, v, (size_t)n * sizeof *v, at);
    for (int i = 0; i < n && (!fills || filled); i++) {
        size_t k = fills && v[i].iov_len > filled ? filled : v[i].iov_len;
        if (fills) {
            icpt_write(gs, v[i].iov_base, k, at);
            filled -= k;
        } else {
            icpt_read(gs, v[i].iov_base, k, at);
        }
    }
}

/* A message's parts besides its buffers: the header is read; recvmsg then stores the
 * address and its length (only when msg_name is set, as the kernel does), the control
 * data, its length and the flags. */
ssize_t __real_sendmsg(int, const struct msghdr *, int);
ssize_t __real_recvmsg(int, struct msghdr *, int);

ssize_t __wrap_sendmsg(int fd, const struct msghdr *m, int flags)
{
    icpt_site at = ICPT_AT(__wrap_sendmsg);
    icpt_io_wait(fd, POLLOUT, NULL, at.ra);
    race_gs *gs = icpt_user(at.ra);
    if (gs) {
        icpt_read(gs, m, sizeof *m, at);
        if (m->msg_name)
            icpt_read(gs, m->msg_name, m->msg_namelen, at);
        iov_check(gs, m->msg_iov, (int)m->msg_iovlen, 0, false, at);
        if (m->msg_control)
            icpt_read(gs, m->msg_control, m->msg_controllen, at);
        icpt_fd_release(gs, fd);
    }
    return __real_sendmsg(fd, m, flags);
}

ssize_t __wrap_recvmsg(int fd, struct msghdr *m, int flags)
{
    icpt_site at = ICPT_AT(__wrap_recvmsg);
    icpt_io_wait(fd, POLLIN, NULL, at.ra);
    race_gs *gs = icpt_user(at.ra);
    if (gs)
        icpt_read(gs, m, sizeof *m, at);
    size_t room = gs ? m->msg_controllen : 0;
    socklen_t nroom = gs ? m->msg_namelen : 0;
    ssize_t r = __real_recvmsg(fd, m, flags);
    if (!gs || r < 0)
        return r;
    icpt_fd_acquire(gs, fd);
    iov_check(gs, m->msg_iov, (int)m->msg_iovlen, (size_t)r, true, at);
    (void)from_done(r, m->msg_name, &m->msg_namelen, nroom, at); /* as recvfrom's */
    if (m->msg_control)
        icpt_write(gs, m->msg_control, m->msg_controllen < room ? m->msg_controllen : room, at);
    icpt_write(gs, &m->msg_controllen, sizeof m->msg_controllen, at);
    icpt_write(gs, &m->msg_flags, sizeof m->msg_flags, at);
    return r;
}

ssize_t __wrap_readv(int fd, const struct iovec *v, int n)
{
    icpt_site at = ICPT_AT(__wrap_readv);
    icpt_io_wait(fd, POLLIN, NULL, at.ra);
    ssize_t r = __real_readv(fd, v, n);
    race_gs *gs = icpt_user(at.ra);
    if (gs) {
        icpt_fd_acquire(gs, fd);
        iov_check(gs, v, n, r > 0 ? (size_t)r : 0, true, at);
    }
    return r;
}

ssize_t __wrap_writev(int fd, const struct iovec *v, int n)
{
    icpt_site at = ICPT_AT(__wrap_writev);
    icpt_io_wait(fd, POLLOUT, NULL, at.ra);
    race_gs *gs = icpt_user(at.ra);
    if (gs) {
        iov_check(gs, v, n, 0, false, at);
        icpt_fd_release(gs, fd);
    }
    return __real_writev(fd, v, n);
}
