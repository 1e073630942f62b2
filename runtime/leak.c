/*
 * leak.c - goroutine leak check at exit (RACEDEMO_LEAKCHECK=1), for `racedemo check`
 * and for tests: when the program exits, every goroutine other than main that is still
 * blocked or runnable is a leak (Go's goleak idea, built into the runtime).
 *
 * Runs from atexit, registered by rt_init before main, so it runs after the program's
 * own handlers.  At procs > 1 other Ms may still be running goroutines while it reads
 * their states: the report is a best-effort snapshot, which is what a leak report is.
 */
#include "rt.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static bool leak_is_leaked(const rt_g *g, const rt_g *self)
{
    return g != self && g->id != 1 && (g->state == G_WAITING || g->state == G_RUNNABLE);
}

static void leak_report(void)
{
    /* read at exit, not at start-up: a forked test child may set it after rt_init */
    const char *e = getenv("RACEDEMO_LEAKCHECK");
    if (!e || !*e || *e == '0')
        return;
    const rt_g *self = sched_self();
    int n = 0;
    for (const rt_g *g = sched_all_goroutines(); g; g = g->alllink)
        n += leak_is_leaked(g, self);
    if (!n)
        return;
    fflush(stdout);
    dprintf(2, "racedemo: goroutine leak: %d goroutine(s) still alive when the program exited\n\n", n);
    for (const rt_g *g = sched_all_goroutines(); g; g = g->alllink) {
        if (leak_is_leaked(g, self)) {
            rt_dump_goroutine(2, g);
            dprintf(2, "\n");
        }
    }
}

void leak_init(void)
{
    atexit(leak_report);
}
