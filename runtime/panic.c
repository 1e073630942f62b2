/*
 * panic.c - fatal errors with Go's wording: throw (a broken runtime invariant), panic
 * (user misuse, go_panic), the deadlock report, and the guard every fatal path, signals
 * included, goes through first.
 *
 * Everything here is a cold path that ends the process with exit status 2, Go's status
 * for a fatal runtime error.  Reports go to fd 2 with write(2), never stdio: stdio may be
 * mid-update in the goroutine that failed.  What
 * the program printed itself is flushed first, because in Go it would already be out.
 *
 * The guard (crash_tid): the first thread to fail owns the report; a second thread that
 * fails meanwhile waits for the process to end, and a failure of the reporter itself
 * (a fault or a throw inside the report) ends the process at once.
 */
#define _GNU_SOURCE
#include "crash.h"
#include "os.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CRASH_WATCHDOG_S 20   /* a report stuck on a lock the crashed code held */

static pid_t crash_tid;

static void crash_write(int fd, const char *s, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, s, n);
        if (w <= 0)
            return;   /* nowhere left to report to */
        s += w;
        n -= (size_t)w;
    }
}

/* Report output is gathered per thread and written in large pieces: a dump of 100,000
 * goroutines would otherwise cost a million write calls.  Flushed at the end of every
 * goroutine's dump, when the fd changes, and before the process exits. */
static __thread struct {
    int fd;
    size_t n;
    char buf[8192];
} crash_out;

void crash_flush(void)
{
    size_t n = crash_out.n;
    crash_out.n = 0;
    crash_write(crash_out.fd, crash_out.buf, n);
}

void crash_puts(int fd, const char *s, size_t n)
{
    if (crash_out.n && (crash_out.fd != fd || crash_out.n + n > sizeof crash_out.buf))
        crash_flush();
    if (n > sizeof crash_out.buf) {
        crash_write(fd, s, n);
        return;
    }
    crash_out.fd = fd;
    memcpy(crash_out.buf + crash_out.n, s, n);
    crash_out.n += n;
}

void crash_printf(int fd, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n > (int)sizeof buf - 1)
        n = (int)sizeof buf - 1;
    if (n > 0)
        crash_puts(fd, buf, (size_t)n);
}

static void crash_watchdog(int sig)
{
    (void)sig;
    static const char msg[] = "\nfatal error: crash report timed out\n";
    crash_write(2, msg, sizeof msg - 1);
    _exit(2);
}

bool crash_begin(void)
{
    pid_t me = gettid(), owner = 0;
    if (__atomic_compare_exchange_n(&crash_tid, &owner, me, false, __ATOMIC_ACQ_REL,
                                    __ATOMIC_ACQUIRE)) {
        struct sigaction sa = {.sa_handler = crash_watchdog};
        sigaction(SIGALRM, &sa, NULL);
        alarm(CRASH_WATCHDOG_S);
        return true;
    }
    if (owner == me)
        return false;
    for (;;)
        pause();   /* the reporter ends the process */
}

void crash_progress(void)
{
    static unsigned calls;
    if (__atomic_load_n(&crash_tid, __ATOMIC_RELAXED) && calls++ % 256 == 0)
        alarm(CRASH_WATCHDOG_S);
}

void crash_flush_stdio(bool in_signal)
{
    FILE *streams[2] = {stdout, stderr};
    for (int i = 0; i < 2; i++) {
        if (!in_signal) {
            fflush(streams[i]);
            continue;
        }
        /* another thread may be inside printf: give it a moment, never wait for good */
        for (int tries = 0; tries < 100; tries++) {
            if (ftrylockfile(streams[i]) == 0) {
                fflush_unlocked(streams[i]);
                funlockfile(streams[i]);
                break;
            }
            struct timespec ts = {0, 1000000};
            rt_os_nanosleep(&ts, NULL);
        }
    }
}

void crash_exit(void)
{
    crash_flush();
    _exit(2);
}

/* ---- throw and panic ------------------------------------------------------------------------ */

/* "prefix: msg" and, unless the report itself failed, the current goroutine's stack. */
static _Noreturn RT_COLD void crash_fatal(const char *prefix, int flags, const char *fmt,
                                          va_list ap)
{
    bool first = crash_begin();
    if (first)
        crash_flush_stdio(false);
    /* formatted whole before anything is written: a bad argument faults here, and the
     * nested-fault message then starts on a line of its own */
    char msg[1024];
    int n = vsnprintf(msg, sizeof msg, fmt, ap);
    crash_printf(2, "%s%s%s\n", prefix, msg, n >= (int)sizeof msg ? "..." : "");
    if (!first)
        crash_exit();
    crash_printf(2, "\n");
    rt_g *g = sched_current();
    tb_header(2, g, "running");
    tb_from_here(2, g, flags);
    crash_exit();
}

void rt_throw(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    crash_fatal("fatal error: ", TB_RUNTIME, fmt, ap);
}

void rt_panic(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    crash_fatal("panic: ", 0, fmt, ap);
}

void go_panic(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    crash_fatal("panic: ", 0, fmt, ap);
}

/* Called by the scheduler on g0 when nothing can ever run again (procs > 1: with
 * sched.mu held and every other M idle), so every goroutine's stack is still. */
void rt_deadlock(void)
{
    if (!crash_begin())
        crash_exit();
    crash_flush_stdio(false);
    if (sched_ngoroutines() == 0) {
        crash_printf(2, "fatal error: no goroutines (main called runtime.Goexit) - deadlock!\n");
        crash_exit();
    }
    crash_printf(2, "fatal error: all goroutines are asleep - deadlock!\n\n");
    rt_dump_goroutines(2, NULL);
    crash_exit();
}
