/*
 * explore.c - schedule exploration: which interleaving a deterministic run (procs = 1)
 * takes, so that the racy schedules a learner reads about actually happen.
 *
 * Every runtime call (channel and sync operations call sched_preempt_point() first) and,
 * through the detector, every instrumented memory access is a preemption point: a "step".
 * A strategy decides at each step whether the running goroutine gives way
 * (sched_should_preempt), and which runnable goroutine runs next (sched_pick):
 *
 *   random  at each step, switch with probability RACEDEMO_PREEMPT percent (default 50)
 *           to a uniformly chosen other goroutine (the scheduler's own seeded choice).
 *   pct     Burckhardt, Kothari, Musuvathi, Nagarakatte, "A Randomized Scheduler with
 *           Probabilistic Guarantees of Finding Bugs" (ASPLOS 2010).  Every goroutine gets
 *           a random priority when first seen, all of them above PCT_MAX_DEPTH; d-1 change
 *           points are drawn uniformly from [1, k]; at the i-th change point the running
 *           goroutine's priority drops to i (below every initial priority).  The highest
 *           priority runnable goroutine always runs.  A bug of depth d shows up with
 *           probability at least 1/(n k^(d-1)) per run for n goroutines.  A goroutine
 *           that calls go_yield drops below every other priority, change points included
 *           (pct_yielded), or spin loops could starve the lock holder for good.  d is
 *           RACEDEMO_PCT_DEPTH (default 3), k is RACEDEMO_PCT_STEPS (default 100; the CLI
 *           measures it with a first run, see RACEDEMO_EXPLORE_FD).
 *   none    (default when RACEDEMO_STRATEGY is unset) no preemption: the hooks stay NULL
 *           and the scheduler runs exactly as without this module.
 *
 * Every random decision comes from sched_rand(), so RACEDEMO_SEED + strategy fix the
 * schedule and therefore the output, byte for byte.  At procs > 1 the hooks do nothing:
 * the OS threads interleave for real.
 *
 * RACEDEMO_EXPLORE_FD=n: fd n is a file (a memfd from the CLI) of at least one page; its
 * first 8 bytes receive the step count after every step, so the parent learns how long
 * the run was even if the child was killed or called _exit.
 *
 * Threading: the hooks only act while sched_deterministic(), i.e. on the single M, so
 * the state below needs no lock.
 */
#define _GNU_SOURCE
#include "rt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define PCT_MAX_DEPTH 16
/* Priority bands, highest first: drawn ones from PCT_DRAWN up, the i-th change point
 * PCT_CHANGE + i, yielders below PCT_CHANGE, each lower than the one before. */
#define PCT_DRAWN (1ull << 42)
#define PCT_CHANGE (1ull << 41)

enum explore_strategy { EXPLORE_NONE, EXPLORE_RANDOM, EXPLORE_PCT };

static struct {
    enum explore_strategy strategy;
    uint64_t steps;                  /* preemption points passed so far */
    uint64_t preempt_pct;            /* random: chance of a switch per step, percent */
    int depth;                       /* pct: d */
    uint64_t k;                      /* pct: estimated number of steps */
    uint64_t change[PCT_MAX_DEPTH];  /* pct: sorted change points in [1, k] */
    int nchange, next_change;
    uint64_t *prio;                  /* pct: priority by goroutine id, 0 = not yet drawn */
    uint64_t nyields;                /* pct: yields so far (pct_yielded) */
    size_t nprio;
    volatile uint64_t *shared;       /* RACEDEMO_EXPLORE_FD mapping, or NULL */
} ex;

static long explore_env(const char *name, long dflt, long lo, long hi)
{
    const char *e = getenv(name);
    if (!e || !*e)
        return dflt;
    char *end;
    long v = strtol(e, &end, 10);
    if (*end || v < lo || v > hi) {
        fprintf(stderr, "racedemo: %s=%s: want a number in [%ld, %ld]\n", name, e, lo, hi);
        exit(2);
    }
    return v;
}

static inline void explore_count_step(void)
{
    ex.steps++;
    if (ex.shared)
        *ex.shared = ex.steps;
}

/* ---- random ---------------------------------------------------------------------------- */

static bool random_should_preempt(void)
{
    if (!sched_deterministic())
        return false;
    explore_count_step();
    return sched_rand() % 100 < ex.preempt_pct;
}

/* ---- PCT ------------------------------------------------------------------------------- */

static RT_COLD void pct_grow(size_t id)
{
    size_t n = ex.nprio ? ex.nprio : 64;
    while (n <= id)
        n *= 2;
    uint64_t *p = realloc(ex.prio, n * sizeof *p);
    if (!p)
        rt_throw("out of memory in schedule exploration");
    memset(p + ex.nprio, 0, (n - ex.nprio) * sizeof *p);
    ex.prio = p;
    ex.nprio = n;
}

/* g's priority, drawn on first sight: uniform, distinct with overwhelming probability,
 * and always above the change-point priorities 1 .. d-1. */
static uint64_t pct_prio(const rt_g *g)
{
    size_t id = (size_t)g->id;
    if (RT_UNLIKELY(id >= ex.nprio))
        pct_grow(id);
    if (!ex.prio[id])
        ex.prio[id] = PCT_DRAWN + (sched_rand() >> 24);
    return ex.prio[id];
}

/* A goroutine that yields is waiting for another (a spin loop): left at its priority, the
 * highest of several spinners would run forever while the lock holder, lower (a change
 * point may have put it at the bottom), never ran.  Each yield drops the yielder below
 * every other priority, earlier yielders included, so everyone else runs first. */
static void pct_yielded(rt_g *g)
{
    pct_prio(g);
    ex.prio[g->id] = PCT_CHANGE - ++ex.nyields;
}

static uint32_t pct_pick(uint32_t n)
{
    uint32_t best = 0;
    uint64_t bp = pct_prio(sched_runnable(0));
    for (uint32_t i = 1; i < n; i++) {
        uint64_t p = pct_prio(sched_runnable(i));
        if (p > bp) {
            bp = p;
            best = i;
        }
    }
    return best;
}

static bool pct_should_preempt(void)
{
    if (!sched_deterministic())
        return false;
    explore_count_step();
    rt_g *self = sched_self();
    uint64_t mine = pct_prio(self);
    if (ex.next_change < ex.nchange && ex.change[ex.next_change] == ex.steps) {
        ex.next_change++;
        mine = ex.prio[self->id] = PCT_CHANGE + (uint64_t)ex.next_change; /* i-th change point */
    }
    uint32_t n = sched_nrunnable();
    for (uint32_t i = 0; i < n; i++)
        if (pct_prio(sched_runnable(i)) > mine)
            return true;
    return false;
}

/* d-1 distinct change points, uniform in [1, k], sorted. */
static void pct_init(void)
{
    ex.depth = (int)explore_env("RACEDEMO_PCT_DEPTH", 3, 1, PCT_MAX_DEPTH);
    ex.k = (uint64_t)explore_env("RACEDEMO_PCT_STEPS", 100, 1, 1L << 40);
    ex.nchange = ex.depth - 1;
    if ((uint64_t)ex.nchange > ex.k)
        ex.nchange = (int)ex.k;
    for (int i = 0; i < ex.nchange; i++) {
        uint64_t c;
        bool dup;
        do {
            c = 1 + sched_rand() % ex.k;
            dup = false;
            for (int j = 0; j < i; j++)
                dup |= ex.change[j] == c;
        } while (dup);
        int j = i;
        for (; j > 0 && ex.change[j - 1] > c; j--)
            ex.change[j] = ex.change[j - 1];
        ex.change[j] = c;
    }
}

/* ---- set-up ------------------------------------------------------------------------------- */

static void explore_map_shared(void)
{
    long fd = explore_env("RACEDEMO_EXPLORE_FD", -1, -1, 1 << 20);
    if (fd < 0)
        return;
    void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, (int)fd, 0);
    if (p != MAP_FAILED)
        ex.shared = p;
}

void explore_init(void)
{
    const char *s = getenv("RACEDEMO_STRATEGY");
    if (!s || !*s || !strcmp(s, "none"))
        return;
    if (!strcmp(s, "random")) {
        ex.strategy = EXPLORE_RANDOM;
        ex.preempt_pct = (uint64_t)explore_env("RACEDEMO_PREEMPT", 50, 0, 100);
        sched_should_preempt = random_should_preempt;
    } else if (!strcmp(s, "pct")) {
        ex.strategy = EXPLORE_PCT;
        pct_init();
        sched_pick = pct_pick;
        sched_should_preempt = pct_should_preempt;
        sched_yielded = pct_yielded;
    } else {
        fprintf(stderr, "racedemo: RACEDEMO_STRATEGY=%s: want random, pct or none\n", s);
        exit(2);
    }
    explore_map_shared();
}
