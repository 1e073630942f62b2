/*
 * panic.c - fatal errors with Go's wording: throw (broken runtime invariant), panic (user
 * misuse), the deadlock report, and goroutine dumps.  Everything here is a cold path that
 * ends the process with exit status 2, Go's status for a fatal runtime error.
 *
 * Output goes straight to fd 2 with write(2): stdio may be mid-update in the goroutine
 * that failed, and the report must not be lost in a buffer.
 */
#define _GNU_SOURCE
#include "rt.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void rt_vprint(int fd, const char *prefix, const char *fmt, va_list ap)
{
    char buf[1024];
    int n = snprintf(buf, sizeof buf, "%s", prefix);
    n += vsnprintf(buf + n, sizeof buf - (size_t)n, fmt, ap);
    if (n > (int)sizeof buf - 2)
        n = (int)sizeof buf - 2;
    buf[n++] = '\n';
    if (write(fd, buf, (size_t)n) < 0) { /* nowhere left to report to */ }
}

static _Noreturn void rt_die(void)
{
    fflush(stdout);
    _exit(2);
}

void rt_throw(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rt_vprint(2, "fatal error: ", fmt, ap);
    va_end(ap);
    rt_die();
}

void rt_panic(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fflush(stdout);
    rt_vprint(2, "panic: ", fmt, ap);
    va_end(ap);
    dprintf(2, "\n");
    rt_dump_goroutine(2, sched_self());
    rt_die();
}

void go_panic(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fflush(stdout);
    rt_vprint(2, "panic: ", fmt, ap);
    va_end(ap);
    dprintf(2, "\n");
    rt_dump_goroutine(2, sched_self());
    rt_die();
}

void rt_deadlock(void)
{
    fflush(stdout);
    if (sched_ngoroutines() == 0) {
        dprintf(2, "fatal error: no goroutines (main called runtime.Goexit) - deadlock!\n");
        rt_die();
    }
    dprintf(2, "fatal error: all goroutines are asleep - deadlock!\n\n");
    rt_dump_goroutines(2, NULL);
    rt_die();
}

static const char *state_name(const rt_g *g)
{
    switch (g->state) {
    case G_RUNNING: return "running";
    case G_RUNNABLE: return "runnable";
    case G_WAITING: return g->wait_reason ? g->wait_reason : "waiting";
    case G_DEAD: return "dead";
    default: return "idle";
    }
}

void rt_dump_goroutine(int fd, const rt_g *g)
{
    dprintf(fd, "goroutine %lld [%s]:\n", (long long)g->id, state_name(g));
}

void rt_dump_goroutines(int fd, const rt_g *first)
{
    if (first) {
        rt_dump_goroutine(fd, first);
        dprintf(fd, "\n");
    }
    /* Go lists goroutines in id order; allg is newest first, so walk it backwards */
    int n = 0;
    for (rt_g *g = sched_all_goroutines(); g; g = g->alllink)
        n++;
    const rt_g **v = malloc((size_t)(n ? n : 1) * sizeof *v);
    int i = n;
    for (rt_g *g = sched_all_goroutines(); g && v; g = g->alllink)
        v[--i] = g;
    for (i = 0; v && i < n; i++) {
        if (v[i] == first || v[i]->state == G_DEAD)
            continue;
        rt_dump_goroutine(fd, v[i]);
        dprintf(fd, "\n");
    }
    free(v);
}

void rt_signals_init(void) {}
void rt_signals_init_thread(void) {}
