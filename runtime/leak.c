/*
 * leak.c - goroutine leak check at exit (RACEDEMO_LEAKCHECK=1), for `racedemo check`
 * and for tests: when the program exits, every goroutine other than main that is still
 * blocked, runnable or running is a leak (Go's goleak idea, built into the runtime).
 *
 * Runs from atexit, registered by rt_init before main, so it runs after the program's
 * own handlers.  At procs > 1 other Ms may still be running goroutines while it reads
 * their states: it first lets running ones settle (leak_settle), then takes a snapshot.
 */
#include "rt.h"
#include "os.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static bool leak_running(const rt_g *g, const rt_g *self)
{
    return g != self && g->id != 1 && __atomic_load_n(&g->state, __ATOMIC_RELAXED) == G_RUNNING;
}

/* Alive: blocked, runnable, or still running on another M once leak_settle gave up. */
static bool leak_is_leaked(const rt_g *g, const rt_g *self)
{
    enum rt_gstate st = __atomic_load_n(&g->state, __ATOMIC_RELAXED);
    return g != self && g->id != 1 && (st == G_WAITING || st == G_RUNNABLE || st == G_RUNNING);
}

/* At procs > 1 another M may be running a goroutine when the program exits: one between
 * its wg_done and its return (done, not leaked), or between its start and its park
 * (leaked).  Either settles within microseconds, so wait while any is running, backing
 * off up to LEAK_SETTLE_US in all, as Go's goleak retries; one still running after that
 * is alive and counts.  At procs = 1 nothing else runs: no wait, no change to a seeded run. */
#define LEAK_SETTLE_US 250000

static void leak_settle(const rt_g *self)
{
    for (useconds_t us = 50, waited = 0; waited < LEAK_SETTLE_US; waited += us, us *= 2) {
        bool running = false;
        for (const rt_g *g = sched_all_goroutines(); g && !running; g = g->alllink)
            running = leak_running(g, self);
        if (!running)
            return;
        struct timespec ts = {0, (long)us * 1000};
        rt_os_nanosleep(&ts, NULL);
    }
}

static void leak_report(void)
{
    /* read at exit, not at start-up: a forked test child may set it after rt_init */
    const char *e = getenv("RACEDEMO_LEAKCHECK");
    if (!e || !*e || *e == '0')
        return;
    const rt_g *self = sched_self();
    leak_settle(self);
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
