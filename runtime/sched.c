/*
 * sched.c - the M:N scheduler: goroutines (G) run on `procs` OS threads (M), each M with
 * its own run queue; idle Ms steal from busy ones.
 *
 * Design (after Go's proc.go, much smaller):
 *   - A switch goes straight from one goroutine to the next (no trip through a scheduler
 *     stack) whenever the M's run queue has work.  What the old goroutine still needs
 *     done once it is off its stack (release the lock it parked under, requeue it after a
 *     yield, free it after exit) is left in the M's `pending` slots and run by whoever
 *     resumes on that M next: sched_after_switch().  That is what makes parking safe at
 *     procs > 1: a waker cannot find a G in a wait queue before the G's stack is idle.
 *   - Each M has a scheduler context g0 (the thread's own stack; for the main thread a
 *     stack from stack.c).  A goroutine switches to g0 only when its M's queue is empty;
 *     g0 takes work from the global queue, steals, fires timers, sleeps, and detects
 *     deadlock (every active M idle, no timer pending).  There is no global queue: new and
 *     woken goroutines go to the local queue of the M that made them runnable.
 *   - Spawning is memory-bound (a million queued goroutines are a million G structs and
 *     nothing else), so a G is 128 bytes from huge-page slabs, owns no stack until it
 *     first runs, and starts with rt_ctx_start (no initial frame built at go() or at the
 *     switch).  An exiting goroutine whose successor never ran passes it its stack
 *     (stack_pass): a burst of short goroutines runs on one warm stack.  runq_get
 *     prefetches the G entering the deterministic pick window, whose first touch would
 *     otherwise be a cache miss on every pick.
 *   - procs = 1 is deterministic: one M, no locks (rt_multi is false), a seeded PRNG picks
 *     which runnable goroutine runs next, and sleep uses a virtual clock that jumps to the
 *     next timer when nothing can run (Go's testing/synctest).  So a seed fixes the run.
 *     Schedule exploration (explore.c) plugs in at two points only, both in this mode:
 *     sched_should_preempt (may a preemption point switch?) and sched_pick (which
 *     runnable G runs next, instead of the uniform choice in runq_get).  With neither
 *     set, the procs > 1 path and the default deterministic path are unchanged.
 *
 * Locks: each M's run queue has a spin lock (`runq_lock`); `sched.mu` (a pthread mutex)
 * guards timers, the all-goroutines list and the idle Ms.  Lock order:
 * sched.mu before any runq_lock.  Nothing here is held across a context switch except
 * through the pending-unlock protocol.
 *
 * Pinning: C code keeps addresses in thread-local storage (errno's, a __thread array's)
 * in registers across calls, so a goroutine that moved to another M while it waited would
 * use the old M's.  Goroutines that may do so (every goroutine once the program has
 * __thread variables of its own, pthreads, and goroutines that took errno's address) are
 * pinned, like threads to a CPU: g->home names their M, sched_ready queues them there, and
 * other Ms steal only goroutines that are not pinned (or are pinned to an M that retired
 * when procs was lowered, which is the one case where a pinned goroutine moves).
 *
 * TLS: the current M lives in thread-local storage, and a goroutine may resume on another
 * thread at procs > 1, so code after a switch re-reads it through m_cur()/m_self(), which the
 * compiler cannot cache across the switch.
 */
#define _GNU_SOURCE
#include "rt.h"
#include "race.h"
#include "os.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define RT_MAXPROCS 256

typedef struct rt_m {
    int id;
    pthread_t thread;
    rt_g g0;                     /* scheduler context; g0.sp valid while a G runs */
    rt_g *curg;                  /* running G (or &g0) */
    int *errno_p;                /* this thread's errno, swapped per goroutine (tls.c) */
    uint32_t runq_lock;
    rt_g **runq;                 /* ring buffer of runnable Gs: [head, tail) */
    uint32_t runq_head, runq_tail, runq_cap;
    /* pending work for sched_after_switch(), left by the G that switched away */
    void (*pend_unlock)(void *);
    void *pend_arg;
    rt_g *pend_requeue;
    rt_g *pend_free;
    uintptr_t pend_dirty;        /* pend_free's race_go_end result, for its stack */
    bool pend;                   /* any pend_* slot set: one test on the switch path */
    rt_g *start_next;            /* a never-run G that g0 starts once pend_unlock ran */
    uint32_t nspawn;             /* go() calls on this M, for the spawn slice */
    /* stack paging (stack.c): the parked G and its own unlock, run by sched_paged_unlock */
    rt_g *paged_g;
    void (*paged_unlock)(void *);
    void *paged_arg;
    bool started;
    bool gone;                   /* no thread since a fork: its goroutines move (fork) */
} rt_m;

bool rt_multi;
static bool sched_pinning;       /* some G was ever pinned: steals must look (relaxed) */
bool (*sched_should_preempt)(void);
uint32_t (*sched_pick)(uint32_t n);
void (*sched_yielded)(rt_g *g);

static struct {
    pthread_mutex_t mu;
    pthread_cond_t idle_cond;    /* idle active Ms wait here for work */
    pthread_cond_t retire_cond;  /* Ms above nprocs wait here to be needed again */
    int nprocs;                  /* active Ms: ids [0, nprocs) */
    int nstarted;                /* Ms created so far */
    int nidle;                   /* active Ms waiting for work */
    int nretired;                /* Ms with id >= nprocs, waiting to be needed again */
    int nspinning;               /* Ms looking for work before they go idle */
    bool det;                    /* deterministic: procs = 1 and never more */
    rt_g *allg;                  /* every G struct ever made, live or G_DEAD */
    int64_t ngoroutines;
    int64_t goid;
    rt_g *gfree;                 /* recycled G structs */
    uint32_t gfree_lock;
    rt_g **timers;               /* min-heap on (wake_ns, timer_seq) */
    int ntimers, timers_cap;
    uint64_t timer_seq;
    int64_t vnow;                /* virtual clock (det mode) */
    int64_t real_base;           /* real clock offset once not deterministic */
    uint64_t rng, seed;
    bool inited;
} sched = {.mu = PTHREAD_MUTEX_INITIALIZER, .idle_cond = PTHREAD_COND_INITIALIZER,
           .retire_cond = PTHREAD_COND_INITIALIZER};

static rt_m ms[RT_MAXPROCS];
/* initial-exec: libracedemo is linked into executables, so no __tls_get_addr call */
static __thread rt_m *tls_m __attribute__((tls_model("initial-exec")));

/* Not inlinable and opaque to IPA, so a goroutine that migrated threads during a switch
 * never sees the previous thread's M. */
#if defined(__clang__)
#define RT_OPAQUE __attribute__((noinline, optnone))
#else
#define RT_OPAQUE __attribute__((noinline, noipa))
#endif
RT_OPAQUE static rt_m *m_self(void)
{
    rt_m *m = tls_m;
    __asm__ volatile("" ::: "memory");
    return m;
}

/* The running G of this thread, for hot paths (the detector's per-access hook) that
 * cannot afford a call: written wherever an M's curg changes, always before the switch. */
__thread rt_g *rt_curg __attribute__((tls_model("initial-exec")));

static inline void sched_set_curg(rt_m *m, rt_g *g)
{
    m->curg = g;
    rt_curg = g;
}

/* The current M.  Until a second M exists there is only ms[0]: no TLS, no call. */
static inline rt_m *m_cur(void)
{
    return RT_LIKELY(!rt_multi) ? &ms[0] : m_self();
}

/* Counter update: a locked instruction only once other threads exist. */
static inline int64_t ctr_add(int64_t *p, int64_t d)
{
    if (RT_LIKELY(!rt_multi))
        return *p += d;
    return __atomic_add_fetch(p, d, __ATOMIC_RELAXED);
}

static void g0_loop(void *arg);
static void g_entry(void *arg);

/* ---- small helpers --------------------------------------------------------------------- */

uint64_t sched_rand(void)
{
    /* splitmix64: one state word, good enough for scheduling, trivially reproducible */
    uint64_t z = (sched.rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint64_t sched_seed(void) { return sched.seed; }
bool sched_deterministic(void) { return sched.det; }

void rt_unlock_cb(void *lock) { rt_unlock(lock); }
static void mutex_unlock_cb(void *mu) { rt_os_pthread_mutex_unlock(mu); }

static void mu_lock(void)
{
    if (rt_multi)
        rt_os_pthread_mutex_lock(&sched.mu);
}
static void mu_unlock(void)
{
    if (rt_multi)
        rt_os_pthread_mutex_unlock(&sched.mu);
}

/* len bytes (a multiple of 2 MB) of zeroed memory, 2 MB-aligned and advised to be
 * backed by huge pages (a hint: where refused, 4 KB pages). */
static RT_COLD void *huge_map(size_t len, const char *what)
{
    const size_t huge = 2u << 20;
    char *p = mmap(NULL, len + huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        rt_throw("out of memory %s", what);
    char *a = (char *)(((uintptr_t)p + huge - 1) & ~(uintptr_t)(huge - 1));
    if (a > p)
        munmap(p, (size_t)(a - p));
    munmap(a + len, (size_t)(p + huge - a)); /* the tail: a < p + huge, so never empty */
#ifdef MADV_HUGEPAGE
    madvise(a, len, MADV_HUGEPAGE);
#endif
    return a;
}

/* ---- run queues ------------------------------------------------------------------------ */

/* Called full.  Small queues are malloc'd; from 2 MB on a queue lives in huge pages
 * (huge_map): a burst of a million go() calls fills 8 MB of queue, and 4 KB pages cost
 * one fault each (10-25 us on a VM with shadowed page tables: tens of ns per go()).
 * Growing copies the entries once; the ones that wrapped below the head go to just past
 * the old end, keeping the queue one contiguous run. */
#define RUNQ_HUGE_BYTES (2u << 20)

static void runq_grow(rt_m *m)
{
    uint32_t old = m->runq_cap, cap = old ? old * 2 : 256, h = old ? m->runq_head & (old - 1) : 0;
    size_t bytes = (size_t)cap * sizeof(rt_g *), old_bytes = (size_t)old * sizeof(rt_g *);
    rt_g **q;
    if (bytes < RUNQ_HUGE_BYTES) {
        if (!(q = realloc(m->runq, bytes)))
            rt_throw("out of memory growing a run queue");
    } else {
        q = huge_map(bytes, "growing a run queue");
        memcpy(q, m->runq, old_bytes);
        if (old_bytes < RUNQ_HUGE_BYTES)
            free(m->runq);
        else
            munmap(m->runq, old_bytes);
    }
    memcpy(q + old, q, h * sizeof *q);
    m->runq = q;
    m->runq_head = h;
    m->runq_tail = h + old;
    m->runq_cap = cap;
}

/* No lock: a hint that may be stale by the time the caller acts on it. */
static inline bool runq_empty(rt_m *m)
{
    return __atomic_load_n(&m->runq_tail, __ATOMIC_RELAXED) ==
           __atomic_load_n(&m->runq_head, __ATOMIC_RELAXED);
}

static inline void runq_put(rt_m *m, rt_g *g)
{
    rt_lock(&m->runq_lock);
    if (RT_UNLIKELY(m->runq_tail - m->runq_head == m->runq_cap))
        runq_grow(m);
    m->runq[m->runq_tail++ & (m->runq_cap - 1)] = g;
    rt_unlock(&m->runq_lock);
}

/* How far into the queue a deterministic pick looks: uniform among the oldest
 * RUNQ_WINDOW, so small programs see every interleaving while a queue of a million
 * goroutines is not walked at random (one cache miss per pick). */
#define RUNQ_WINDOW 16

/* Next G from m's queue: FIFO at procs > 1, seeded random choice when deterministic. */
static inline __attribute__((always_inline)) rt_g *runq_get(rt_m *m)
{
    rt_lock(&m->runq_lock);
    uint32_t n = m->runq_tail - m->runq_head;
    rt_g *g = NULL;
    if (n) {
        uint32_t mask = m->runq_cap - 1, h = m->runq_head & mask;
        if (sched.det && n > 1) {
            uint32_t k;
            /* the G entering the pick window: by the time it is picked it is in cache
             * (a million queued goroutines are far more than the cache holds) */
            if (n > RUNQ_WINDOW)
                __builtin_prefetch(m->runq[(m->runq_head + RUNQ_WINDOW) & mask], 1);
            if (RT_UNLIKELY(sched_pick)) {
                k = sched_pick(n); /* exploration sees the whole queue */
            } else {
                uint32_t w = n < RUNQ_WINDOW ? n : RUNQ_WINDOW;
                /* multiply-shift instead of %: no 64-bit divide on the switch path */
                k = (uint32_t)(((sched_rand() >> 32) * w) >> 32);
            }
            uint32_t i = (m->runq_head + k) & mask;
            rt_g *t = m->runq[i];
            m->runq[i] = m->runq[h];
            m->runq[h] = t;
        }
        g = m->runq[h];
        m->runq_head++;
    }
    rt_unlock(&m->runq_lock);
    return g;
}

/* Exploration's view of the run queue (deterministic mode: one M, no lock needed). */
uint32_t sched_nrunnable(void)
{
    rt_m *m = m_cur();
    return m->runq_tail - m->runq_head;
}

rt_g *sched_runnable(uint32_t i)
{
    rt_m *m = m_cur();
    return m->runq[(m->runq_head + i) & (m->runq_cap - 1)];
}

#define STEAL_MAX 128
#define STEAL_SCAN 256 /* how far into a queue with pinned goroutines a steal looks */

/* May m's thief take g from victim's queue?  Not if g is pinned to victim, unless victim
 * retired (procs lowered) or has no thread (fork). */
static inline bool g_movable(const rt_g *g, const rt_m *victim)
{
    return !g->home || victim->id >= __atomic_load_n(&sched.nprocs, __ATOMIC_RELAXED) ||
           victim->gone;
}

/* Take up to `take` movable goroutines from the head of victim's queue into batch, the
 * pinned ones left in order.  Under victim's runq_lock. */
static int runq_take_movable(rt_m *victim, uint32_t n, uint32_t take, rt_g **batch)
{
    rt_g *keep[STEAL_SCAN];
    uint32_t mask = victim->runq_cap - 1, scan = n < STEAL_SCAN ? n : STEAL_SCAN, nb = 0,
             nk = 0;
    for (uint32_t j = 0; j < scan; j++) {
        rt_g *g = victim->runq[(victim->runq_head + j) & mask];
        if (nb < take && g_movable(g, victim))
            batch[nb++] = g;
        else
            keep[nk++] = g;
    }
    victim->runq_head += nb;
    for (uint32_t k = 0; k < nk; k++)
        victim->runq[(victim->runq_head + k) & mask] = keep[k];
    return (int)nb;
}

/* Take half of victim's queue into m's if it holds at least `min` goroutines.  Called on
 * g0 only. */
static rt_g *runq_steal(rt_m *m, rt_m *victim, uint32_t min)
{
    rt_g *batch[STEAL_MAX];
    int nb = 0;
    rt_lock(&victim->runq_lock);
    uint32_t n = victim->runq_tail - victim->runq_head;
    uint32_t take = n >= min ? n - n / 2 : 0;
    if (take > STEAL_MAX)
        take = STEAL_MAX;
    if (RT_UNLIKELY(__atomic_load_n(&sched_pinning, __ATOMIC_RELAXED)))
        nb = runq_take_movable(victim, n, take, batch);
    else
        for (; nb < (int)take; nb++)
            batch[nb] = victim->runq[victim->runq_head++ & (victim->runq_cap - 1)];
    rt_unlock(&victim->runq_lock);
    if (!nb)
        return NULL;
    for (int i = 0; i < nb; i++)
        if (batch[i]->home) /* its M retired: it lives here now */
            batch[i]->home = (uint16_t)(m->id + 1);
    for (int i = 1; i < nb; i++)
        runq_put(m, batch[i]);
    return batch[0];
}

/* Has victim's queue anything m could run?  (*queued: anything at all, which the M it is
 * pinned to has been woken for.)  Under sched.mu (before runq_lock). */
static bool runq_work_for(rt_m *m, rt_m *victim, bool *queued)
{
    if (__atomic_load_n(&victim->runq_tail, __ATOMIC_ACQUIRE) ==
        __atomic_load_n(&victim->runq_head, __ATOMIC_ACQUIRE))
        return false;
    *queued = true;
    if (victim == m || !__atomic_load_n(&sched_pinning, __ATOMIC_RELAXED))
        return true;
    bool any = false;
    rt_lock(&victim->runq_lock);
    uint32_t n = victim->runq_tail - victim->runq_head, mask = victim->runq_cap - 1;
    for (uint32_t j = 0; j < n && j < STEAL_SCAN && !any; j++)
        any = g_movable(victim->runq[(victim->runq_head + j) & mask], victim);
    rt_unlock(&victim->runq_lock);
    return any;
}

/* Work was queued: wake an idle M that could steal it.  for_one: it is pinned to one M,
 * which only that M may run, so a spinner elsewhere cannot take it and every idle M is
 * woken so that M is. */
static void wake_idle_ms(bool for_one)
{
    /* a spinning M will find the work (it re-checks after it stops spinning) */
    if (!for_one && __atomic_load_n(&sched.nspinning, __ATOMIC_SEQ_CST) > 0)
        return;
    if (__atomic_load_n(&sched.nidle, __ATOMIC_SEQ_CST) > 0) {
        rt_os_pthread_mutex_lock(&sched.mu);
        if (for_one)
            rt_os_pthread_cond_broadcast(&sched.idle_cond);
        else
            rt_os_pthread_cond_signal(&sched.idle_cond);
        rt_os_pthread_mutex_unlock(&sched.mu);
    }
}

static void wake_idle(void) { wake_idle_ms(false); }

/* g's M for sched_ready: its home while that M is active, else (procs lowered) self,
 * which becomes its home. */
static rt_m *ready_target(rt_g *g, rt_m *self)
{
    int id = g->home - 1;
    if (id < __atomic_load_n(&sched.nprocs, __ATOMIC_RELAXED) && !ms[id].gone)
        return &ms[id];
    g->home = (uint16_t)(self->id + 1);
    return self;
}

static RT_COLD void sched_ready_multi(rt_g *g)
{
    rt_m *self = m_self(), *t = g->home ? ready_target(g, self) : self;
    runq_put(t, g);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    wake_idle_ms(t != self);
}

void sched_pin_self(void)
{
    rt_m *m = tls_m;
    if (!m || m->curg == &m->g0 || m->curg->home)
        return;
    m->curg->home = (uint16_t)(m->id + 1);
    __atomic_store_n(&sched_pinning, true, __ATOMIC_RELAXED);
}

void sched_ready(rt_g *g)
{
    rt_assert(g->state == G_WAITING || g->state == G_IDLE);
    g->state = G_RUNNABLE;
    g->wait_reason = NULL;
    if (RT_LIKELY(!rt_multi))
        runq_put(&ms[0], g);
    else
        sched_ready_multi(g);
}

/* ---- goroutine lifecycle ----------------------------------------------------------------- */

/* Fresh G structs come from 2 MB anonymous mappings (already zero, no per-G malloc
 * header or calloc call); sched.mu guards the bump pointer.  Every slab after the first
 * is 2 MB aligned and asks for a transparent huge page: a burst of a million goroutines
 * then costs 64 page faults instead of 32,000, while a small program's first slab only
 * commits the 4 KB pages it touches. */
#define G_SLAB_BYTES (2u << 20)

static RT_COLD char *g_slab_map(bool huge)
{
    if (huge)
        return huge_map(G_SLAB_BYTES, "allocating goroutines");
    char *p = mmap(NULL, G_SLAB_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        rt_throw("out of memory allocating goroutines");
    return p;
}

static rt_g *g_slab_take(void)
{
    static char *next, *end;
    static bool mapped;
    if (RT_UNLIKELY(next == end)) {
        next = g_slab_map(mapped);
        mapped = true;
        end = next + G_SLAB_BYTES / sizeof(rt_g) * sizeof(rt_g);
    }
    rt_g *g = (rt_g *)next;
    next += sizeof(rt_g);
    return g;
}

/* A G struct, recycled when possible.  Like Go's allgs, every G struct ever made stays on
 * the all-goroutines list (dead ones marked G_DEAD), so exit costs no list surgery. */
static rt_g *g_alloc(void)
{
    rt_lock(&sched.gfree_lock);
    rt_g *g = sched.gfree;
    if (g)
        sched.gfree = g->schedlink;
    rt_unlock(&sched.gfree_lock);
    if (g) {
        rt_g *all = g->alllink;
        memset(g, 0, sizeof *g);
        g->alllink = all;
    } else {
        mu_lock();
        g = g_slab_take();
        g->alllink = sched.allg;
        sched.allg = g;
        mu_unlock();
    }
    g->id = ctr_add(&sched.goid, 1);
    ctr_add(&sched.ngoroutines, 1);
    return g;
}

static void g_release(rt_g *g, uintptr_t dirty)
{
    ctr_add(&sched.ngoroutines, -1);
    stack_free(g, dirty);
    if (g->id == 1)
        return; /* main's G may still be named by dumps; never recycled */
    rt_lock(&sched.gfree_lock);
    g->schedlink = sched.gfree;
    sched.gfree = g;
    rt_unlock(&sched.gfree_lock);
}

void *rt_ctx_make(char *hi, void (*entry)(void *), void *arg)
{
    extern void rt_ctx_entry(void);
    uintptr_t *top = (uintptr_t *)(((uintptr_t)hi & ~(uintptr_t)15) - 16);
    /* after `ret` into rt_ctx_entry, rsp == top: 16-byte aligned for its call */
    top[-1] = (uintptr_t)rt_ctx_entry;
    top[-2] = 0;               /* rbp */
    top[-3] = 0;               /* rbx */
    top[-4] = (uintptr_t)entry; /* r12 */
    top[-5] = (uintptr_t)arg;  /* r13 */
    top[-6] = 0;               /* r14 */
    top[-7] = 0;               /* r15 */
    return &top[-7];
}

/* Run what the goroutine that just switched away left for us (see top comment). */
static __attribute__((noinline)) void sched_after_switch_slow(rt_m *m)
{
    int err = *m->errno_p; /* the resumed goroutine's, which paging's calls may clobber */
    m->pend = false;
    if (m->pend_unlock) {
        void (*f)(void *) = m->pend_unlock;
        m->pend_unlock = NULL;
        f(m->pend_arg);
    }
    if (m->pend_requeue) {
        rt_g *g = m->pend_requeue;
        m->pend_requeue = NULL;
        runq_put(m, g);
        if (rt_multi)
            wake_idle();
    }
    if (m->pend_free) {
        rt_g *g = m->pend_free;
        m->pend_free = NULL;
        g_release(g, m->pend_dirty);
    }
    *m->errno_p = err;
}

static inline void sched_after_switch(void)
{
    rt_m *m = m_cur();
    if (RT_UNLIKELY(m->pend))
        sched_after_switch_slow(m);
}

static int timers_fire_locked(rt_m *m, int64_t now);

/* At procs > 1 busy Ms must fire due timers too, or sleepers starve behind them. */
static void timers_poll(rt_m *m)
{
    if (!__atomic_load_n(&sched.ntimers, __ATOMIC_RELAXED))
        return;
    int64_t now = go_now_ns();
    /* trylock: the parking G may hold sched.mu itself (sleep), and a busy lock means
     * another M is looking at the timers anyway */
    if (rt_os_pthread_mutex_trylock(&sched.mu) != 0)
        return;
    timers_fire_locked(m, now);
    rt_os_pthread_mutex_unlock(&sched.mu);
}

/* Save the current context in *save and run g on m: resume it (its thread-locals
 * first), or, if it never ran, start it on a fresh stack (or the one an exiting goroutine
 * passed it) straight at g_entry, with no initial frame to build, below its TLS save
 * area. */
static inline __attribute__((always_inline)) void g_enter(rt_m *m, void **save, rt_g *g)
{
    if (RT_LIKELY(g->sp != NULL)) {
        stack_resume(g);
        if (RT_LIKELY(g != &m->g0))
            tls_in(g, m->errno_p);
        rt_ctx_switch(save, g->sp);
    } else {
        if (!g->stack_lo)
            stack_alloc(g);
        if (RT_UNLIKELY(rt_tls.user)) /* its __thread addresses are this M's */
            g->home = (uint16_t)(m->id + 1);
        tls_fresh(m->errno_p);
        rt_ctx_start(save, g->stack_hi - rt_tls.reserve, g_entry, g);
    }
}

/* Switch from g (the running G, already marked; its thread-locals saved unless it is
 * exiting) to next (a runnable G, or m's g0), and on resuming run what the goroutine
 * that switched back to us left pending. */
static inline __attribute__((always_inline)) void switch_to(rt_m *m, rt_g *g, rt_g *next,
                                                         bool exiting)
{
    race_switch_out(g);
    if (!exiting)
        tls_out(g, m->errno_p);
    if (next != &m->g0)
        next->state = G_RUNNING;
    sched_set_curg(m, next);
    g_enter(m, &g->sp, next);
    sched_after_switch();
}

/* Switch from g to m's next runnable G, or to g0 when there is none.  At procs > 1 a G
 * parking under a lock (a channel's) holds it until the next G runs the pending unlock;
 * a G that never ran would first take its stack and fault the fresh top page in, tens
 * of microseconds on a guest with shadow page tables, while the other M spins on that
 * lock.  So such a G is started by g0, after the unlock. */
static inline __attribute__((always_inline)) void switch_away(rt_m *m, rt_g *g)
{
    if (rt_multi)
        timers_poll(m);
    rt_g *next = runq_get(m);
    if (RT_UNLIKELY(rt_multi && next && !next->sp && !next->stack_lo && m->pend_unlock)) {
        m->start_next = next;
        next = NULL;
    }
    switch_to(m, g, next ? next : &m->g0, false);
}

static void g_entry(void *arg)
{
    rt_g *g = arg;
    sched_after_switch();
    g->fn(g->arg);
    go_exit();
}

_Noreturn void go_exit(void)
{
    rt_m *m = m_cur();
    rt_g *g = m->curg;
    uintptr_t dirty = race_go_end(g);
    g->state = G_DEAD;
    if (g->id == 1) {
        /* Go: main called runtime.Goexit; the others run on, deadlock if they all stop */
        g->wait_reason = "main called runtime.Goexit";
    }
    m->pend_free = g;
    m->pend_dirty = dirty;
    m->pend = true;
    if (rt_multi)
        timers_poll(m);
    rt_g *next = runq_get(m);
    /* a goroutine that never ran inherits this one's stack: warm pages, no trip through
     * the stack cache (it starts at the stack's top, below which nothing of ours is
     * needed any more: g is dead and its switch saves nothing we read) */
    if (next && !next->sp && g->stack_lo)
        (void)stack_pass(g, next, dirty); /* false for another size: g_release frees it */
    switch_to(m, g, next ? next : &m->g0, true);
    rt_throw("dead goroutine resumed");
}

static void yield_now(void);

static inline __attribute__((always_inline)) void go_at(void (*fn)(void *), void *arg,
                                                         uintptr_t pc, size_t stack)
{
    rt_m *m = m_cur();
    rt_g *parent = m->curg, *g = g_alloc();
    g->fn = fn;
    g->arg = arg;
    g->stack_want = stack;
    g->parent_id = parent->id;
    g->create_pc[0] = pc;
    g->ncreate = 1;
    race_go_start(parent, g);
    g->state = G_RUNNABLE;
    runq_put(m, g);
    if (rt_multi)
        wake_idle();
    if (RT_UNLIKELY(++m->nspawn % RT_SPAWN_SLICE == 0))
        yield_now();
}

void go(void (*fn)(void *), void *arg) { go_at(fn, arg, (uintptr_t)__builtin_return_address(0), 0); }

void sched_go_at(void (*fn)(void *), void *arg, uintptr_t pc, size_t stack)
{
    go_at(fn, arg, pc, stack);
}

/* ---- blocking -------------------------------------------------------------------------- */

rt_g *const *const sched_m0_curg = &ms[0].curg;

rt_g *sched_self_slow(void)
{
    rt_m *m = m_self();
    if (RT_UNLIKELY(!m))
        rt_throw("racedemo runtime called from a thread it does not run");
    return m->curg;
}

rt_g *sched_current(void)
{
    rt_m *m = tls_m;
    return m ? m->curg : NULL;
}

int sched_m_id(void)
{
    rt_m *m = tls_m;
    return m ? m->id : -1;
}

/* Stack paging: the parked G is offered to stack.c before its unlock lets a waker see it,
 * and paging out runs after the unlock.  Rides on the pending unlock, so the switch path
 * pays nothing while paging is off. */
static void sched_paged_unlock(void *arg)
{
    rt_m *m = arg;
    stack_parked(m->paged_g);
    if (m->paged_unlock)
        m->paged_unlock(m->paged_arg);
    stack_page_out();
}

static RT_COLD void sched_park_paged(rt_m *m, rt_g *g)
{
    m->paged_g = g;
    m->paged_unlock = rt_multi ? m->pend_unlock : NULL; /* a single M skips unlocks */
    m->paged_arg = m->pend_arg;
    m->pend_unlock = sched_paged_unlock;
    m->pend_arg = m;
    m->pend = true;
}

void sched_park(const char *reason, void (*unlock)(void *), void *arg)
{
    rt_m *m = m_cur();
    rt_g *g = m->curg;
    g->state = G_WAITING;
    g->wait_reason = reason;
    /* unlock callbacks only release rt_locks (or sched.mu, only taken at procs > 1),
     * which are no-ops on a single M: skip the indirect call there */
    if (rt_multi) {
        m->pend_unlock = unlock;
        m->pend_arg = arg;
        m->pend = unlock != NULL;
    }
    if (RT_UNLIKELY(stack_paging))
        sched_park_paged(m, g);
    switch_away(m, g);
}

/* Let others run; go_yield is the user's (a spin loop's) yield, which the exploration
 * strategy hears of, the runtime's own (preemption, spawn slices) are not. */
static void yield_now(void)
{
    rt_m *m = m_cur();
    rt_g *g = m->curg;
    if (!rt_multi) {
        /* single thread: choose among the others first, so yield always switches */
        rt_g *next = runq_get(m);
        if (!next)
            return;
        g->state = G_RUNNABLE;
        runq_put(m, g);
        switch_to(m, g, next, false);
        return;
    }
    /* Nothing else queued here: g0 would only take g straight back (its own queue comes
     * first), two switches for nothing.  Due timers still fire, as on that path (which
     * polls them itself), and may queue something after all. */
    if (runq_empty(m)) {
        timers_poll(m);
        if (runq_empty(m))
            return;
    }
    g->state = G_RUNNABLE;
    m->pend_requeue = g;
    m->pend = true;
    switch_away(m, g);
}

bool sched_can_spin(void)
{
    if (!rt_multi)
        return false;
    rt_m *m = m_self();
    int busy = sched.nprocs - __atomic_load_n(&sched.nidle, __ATOMIC_RELAXED) -
               __atomic_load_n(&sched.nspinning, __ATOMIC_RELAXED);
    return busy > 1 && runq_empty(m);
}

void go_yield(void)
{
    if (RT_UNLIKELY(sched_yielded != NULL) && !rt_multi)
        sched_yielded(m_cur()->curg);
    yield_now();
}

void sched_preempt_slow(void)
{
    if (sched_should_preempt())
        yield_now();
}

/* ---- timers and the clock ------------------------------------------------------------------ */

static bool timer_less(const rt_g *a, const rt_g *b)
{
    return a->wake_ns < b->wake_ns || (a->wake_ns == b->wake_ns && a->timer_seq < b->timer_seq);
}

static void timer_push_locked(rt_g *g)
{
    if (sched.ntimers == sched.timers_cap) {
        sched.timers_cap = sched.timers_cap ? 2 * sched.timers_cap : 64;
        sched.timers = realloc(sched.timers, sched.timers_cap * sizeof *sched.timers);
        if (!sched.timers)
            rt_throw("out of memory growing the timer heap");
    }
    int i = sched.ntimers++;
    while (i > 0 && timer_less(g, sched.timers[(i - 1) / 2])) {
        sched.timers[i] = sched.timers[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    sched.timers[i] = g;
}

static rt_g *timer_pop_locked(void)
{
    rt_g *top = sched.timers[0], *last = sched.timers[--sched.ntimers];
    int i = 0, n = sched.ntimers;
    for (;;) {
        int c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && timer_less(sched.timers[c + 1], sched.timers[c]))
            c++;
        if (!timer_less(sched.timers[c], last))
            break;
        sched.timers[i] = sched.timers[c];
        i = c;
    }
    if (n)
        sched.timers[i] = last;
    return top;
}

int64_t go_now_ns(void)
{
    if (sched.det)
        return sched.vnow;
    return rt_mono_ns() + sched.real_base;
}

void sched_sleep_until(int64_t when)
{
    rt_g *g = sched_self();
    mu_lock();
    g->wake_ns = when;
    g->timer_seq = ++sched.timer_seq;
    timer_push_locked(g);
    sched_park("sleep", mutex_unlock_cb, &sched.mu); /* not called on a single M */
}

int64_t sched_next_timer_ns(void)
{
    mu_lock();
    int64_t t = sched.ntimers ? sched.timers[0]->wake_ns : INT64_MAX;
    mu_unlock();
    return t;
}

void go_sleep_ns(int64_t ns)
{
    if (ns <= 0) {
        go_yield();
        return;
    }
    sched_sleep_until(go_now_ns() + ns);
}

void go_sleep_ms(int64_t ms) { go_sleep_ns(ms * 1000000); }

/* Ready every timer due by `now` (sched.mu held).  Returns how many fired. */
static int timers_fire_locked(rt_m *m, int64_t now)
{
    int n = 0;
    while (sched.ntimers && sched.timers[0]->wake_ns <= now) {
        rt_g *g = timer_pop_locked();
        g->state = G_RUNNABLE;
        g->wait_reason = NULL;
        rt_m *t = g->home ? ready_target(g, m) : m;
        runq_put(t, g);
        if (t != m) /* we hold sched.mu: its M may be idle on idle_cond */
            rt_os_pthread_cond_broadcast(&sched.idle_cond);
        n++;
    }
    return n;
}

/* ---- the scheduler loop (g0) ---------------------------------------------------------------- */

/* Steal from every other M, taking only from queues of at least min goroutines. */
static rt_g *steal_any(rt_m *m, uint32_t min)
{
    for (int i = 1; i < sched.nstarted; i++) {
        rt_g *g = runq_steal(m, &ms[(m->id + i) % sched.nstarted], min);
        if (g)
            return g;
    }
    return NULL;
}

/*
 * Before sleeping on a futex, an M spins for a few tens of microseconds (Go does too):
 * goroutines readied meanwhile are found without a wake-up system call, and wakers skip
 * the signal while a spinner exists.  During the first half the spinner leaves a lone
 * goroutine in its victim's queue: that M is usually about to park and run it itself
 * (a channel handoff), and stealing it would bounce the pair between threads.
 */
#define SPIN_ROUNDS 256

static rt_g *spin_for_work(rt_m *m)
{
    rt_g *g = NULL;
    __atomic_add_fetch(&sched.nspinning, 1, __ATOMIC_SEQ_CST);
    for (int r = 0; r < SPIN_ROUNDS && !g; r++) {
        if (!(g = runq_get(m)))
            g = steal_any(m, r < SPIN_ROUNDS / 2 ? 2 : 1);
        for (int k = 0; k < 32 && !g; k++)
            __builtin_ia32_pause();
    }
    __atomic_sub_fetch(&sched.nspinning, 1, __ATOMIC_SEQ_CST);
    return g;
}

/* Find work for m, sleeping while there is none.  Called on g0. */
static rt_g *find_runnable(rt_m *m)
{
    for (;;) {
        rt_g *g = runq_get(m);
        if (g)
            return g;
        mu_lock();
        if (m->id >= sched.nprocs) {
            /* procs was lowered: this M retires until raised again */
            sched.nretired++;
            while (m->id >= sched.nprocs)
                rt_os_pthread_cond_wait(&sched.retire_cond, &sched.mu);
            sched.nretired--;
            mu_unlock();
            continue;
        }
        if (sched.ntimers && timers_fire_locked(m, go_now_ns())) {
            mu_unlock();
            continue;
        }
        mu_unlock();
        if (rt_multi && (g = spin_for_work(m)))
            return g;
        mu_lock();
        if (sched.det && sched.ntimers) {
            /* nothing can run: virtual time jumps to the next timer */
            sched.vnow = sched.timers[0]->wake_ns;
            timers_fire_locked(m, sched.vnow);
            mu_unlock();
            continue;
        }
        if (!rt_multi) {
            rt_deadlock();
        }
        /* go idle; the last active M to do so with no timers is a deadlock */
        __atomic_add_fetch(&sched.nidle, 1, __ATOMIC_SEQ_CST);
        bool work = false, queued = false; /* for m / for some M (pinned goroutines) */
        for (int i = 0; i < sched.nstarted && !work; i++)
            work = runq_work_for(m, &ms[i], &queued);
        if (!work) {
            if (sched.nidle + sched.nretired == sched.nstarted && !sched.ntimers && !queued)
                rt_deadlock();
            if (sched.ntimers) {
                int64_t wait = sched.timers[0]->wake_ns - go_now_ns();
                struct timespec ts;
                clock_gettime(CLOCK_REALTIME, &ts);
                int64_t t = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec + (wait > 0 ? wait : 0);
                ts.tv_sec = t / 1000000000;
                ts.tv_nsec = t % 1000000000;
                rt_os_pthread_cond_timedwait(&sched.idle_cond, &sched.mu, &ts);
            } else {
                rt_os_pthread_cond_wait(&sched.idle_cond, &sched.mu);
            }
        }
        __atomic_sub_fetch(&sched.nidle, 1, __ATOMIC_SEQ_CST);
        mu_unlock();
    }
}

static void g0_loop(void *arg)
{
    rt_m *m = arg;
    for (;;) {
        sched_after_switch();
        rt_g *g = m->start_next;
        if (g)
            m->start_next = NULL;
        else
            g = find_runnable(m);
        g->state = G_RUNNING;
        sched_set_curg(m, g);
        g_enter(m, &m->g0.sp, g);
        sched_set_curg(m, &m->g0);
    }
}

/* Is addr some M's errno?  For the detector's reports: at procs > 1 a function may keep
 * errno's address from before a wait and, resumed on another M, touch the old M's errno
 * while another goroutine uses it (tls.c): not a race between the program's goroutines. */
bool sched_is_m_errno(uintptr_t addr)
{
    for (int i = 0; i < RT_MAXPROCS; i++) {
        uintptr_t e = (uintptr_t)__atomic_load_n(&ms[i].errno_p, __ATOMIC_ACQUIRE);
        if (e && addr - e < sizeof(int))
            return true;
    }
    return false;
}

static void *m_thread(void *arg)
{
    rt_m *m = arg;
    tls_m = m;
    __atomic_store_n(&m->errno_p, &errno, __ATOMIC_RELEASE);
    race_m_start();
    sched_set_curg(m, &m->g0);
    rt_signals_init_thread();
    g0_loop(m);
    return NULL;
}

/* ---- procs ------------------------------------------------------------------------------------- */

int go_maxprocs(int n)
{
    rt_init();
    int old = sched.nprocs;
    if (n < 1 || n == old)
        return old;
    if (n > RT_MAXPROCS)
        n = RT_MAXPROCS;
    if (!rt_multi) {
        /* leaving deterministic mode: switch the clock to real time without a jump */
        sched.real_base = sched.vnow - rt_mono_ns();
        sched.det = false;
        rt_multi = true;
    }
    rt_os_pthread_mutex_lock(&sched.mu);
    sched.nprocs = n;
    while (sched.nstarted < n) {
        rt_m *m = &ms[sched.nstarted];
        m->id = sched.nstarted++;
        if (rt_os_pthread_create(&m->thread, NULL, m_thread, m) != 0)
            rt_throw("cannot create OS thread for procs=%d", n);
        rt_os_pthread_detach(m->thread);
    }
    rt_os_pthread_cond_broadcast(&sched.retire_cond);
    rt_os_pthread_cond_broadcast(&sched.idle_cond);
    rt_os_pthread_mutex_unlock(&sched.mu);
    return old;
}

int go_num_goroutine(void)
{
    return (int)__atomic_load_n(&sched.ngoroutines, __ATOMIC_RELAXED);
}

int64_t go_id(void) { return sched_self()->id; }

rt_g *sched_all_goroutines(void) { return sched.allg; }
int sched_ngoroutines(void) { return (int)sched.ngoroutines; }

/* ---- fork ---------------------------------------------------------------------------------------- */

/*
 * A child of fork has only the forking thread.  A lock another M held at that instant
 * would stay held forever in the child (a test forking at procs = 2 hung in g_alloc on
 * sched.mu), so the scheduler's own locks are held across fork, and the child restarts
 * the other Ms' threads.  A goroutine that was running on another M at the fork is lost
 * in the child, as a thread is in a forked pthreads program; channel and sync-object
 * locks are the program's own business, as pthread mutexes are.
 */
static void sched_fork_prepare(void)
{
    stack_fork_prepare();
    if (!rt_multi)
        return;
    rt_os_pthread_mutex_lock(&sched.mu);
    rt_lock(&sched.gfree_lock);
    for (int i = 0; i < sched.nstarted; i++)
        rt_lock(&ms[i].runq_lock);
    stack_fork_lock();
}

static void sched_fork_unlock(void)
{
    stack_fork_unlock();
    for (int i = 0; i < sched.nstarted; i++)
        rt_unlock(&ms[i].runq_lock);
    rt_unlock(&sched.gfree_lock);
}

static void sched_fork_parent(void)
{
    if (rt_multi) {
        sched_fork_unlock();
        rt_os_pthread_mutex_unlock(&sched.mu);
    }
    stack_fork_done(false);
}

/* No thread for m in the child (a fork loop at its process limit): this M takes m's
 * goroutines, and m counts as retired for good, so deadlock detection still adds up. */
static void sched_fork_adopt(rt_m *self, rt_m *m)
{
    for (uint32_t i = m->runq_head; i != m->runq_tail; i++)
        runq_put(self, m->runq[i & (m->runq_cap - 1)]);
    m->runq_head = m->runq_tail;
    if (m->start_next) {
        runq_put(self, m->start_next);
        m->start_next = NULL;
    }
    m->gone = true;
    sched.nretired++;
}

static void sched_fork_child(void)
{
    stack_fork_done(true);
    if (!rt_multi)
        return;
    sched_fork_unlock();
    rt_os_pthread_mutex_init(&sched.mu, NULL);
    rt_os_pthread_cond_init(&sched.idle_cond, NULL);
    rt_os_pthread_cond_init(&sched.retire_cond, NULL);
    /* the counts described threads that are gone; the new ones count themselves in */
    sched.nidle = sched.nretired = sched.nspinning = 0;
    for (int i = 0; i < sched.nstarted; i++) {
        rt_m *m = &ms[i];
        if (m == tls_m)
            continue;
        /* a G that m was switching away from may not have saved its context yet: lost,
         * like the one running there (its pending unlock still runs) */
        m->pend_requeue = NULL;
        m->pend = m->pend_unlock || m->pend_free;
        if (rt_os_pthread_create(&m->thread, NULL, m_thread, m) == 0)
            rt_os_pthread_detach(m->thread);
        else
            sched_fork_adopt(tls_m, m);
    }
}

/* ---- start-up ------------------------------------------------------------------------------------ */

static long env_long(const char *name, long dflt)
{
    const char *e = getenv(name);
    if (!e || !*e)
        return dflt;
    char *end;
    long v = strtol(e, &end, 10);
    if (*end) {
        fprintf(stderr, "racedemo: %s=%s is not a number\n", name, e);
        exit(2);
    }
    return v;
}

static void rt_start(void);

/* Idempotent: the constructor calls it, and so may __tsan_init, which can run first.
 * errno is the program's: zero when main starts, whatever start-up's own calls failed. */
void rt_init(void)
{
    if (sched.inited)
        return;
    sched.inited = true;
    int saved_errno = RT_ERRNO;
    rt_start();
    RT_ERRNO = saved_errno;
}

static void rt_start(void)
{
    sched.seed = (uint64_t)env_long("RACEDEMO_SEED", 1);
    sched.rng = sched.seed * 0x2545f4914f6cdd1dULL;
    sched.det = true;
    sched.nprocs = 1;
    sched.nstarted = 1;
    rt_m *m0 = &ms[0];
    tls_m = m0;
    m0->started = true;
    m0->errno_p = &errno;
    tls_init();
    rt_g *g1 = g_alloc();
    g1->state = G_RUNNING;
    if (rt_tls.user) {
        g1->home = 1;
        sched_pinning = true;
    }
    sched_set_curg(m0, g1);
    stack_alloc(&m0->g0);
    m0->g0.sp = rt_ctx_make(m0->g0.stack_hi, g0_loop, m0);
    m0->g0.id = 0;
    rt_signals_init();
    rt_signals_init_thread();
    pthread_atfork(sched_fork_prepare, sched_fork_parent, sched_fork_child);
    long procs = env_long("RACEDEMO_PROCS", 1);
    if (procs > 1)
        go_maxprocs((int)procs);
    explore_init();
    leak_init();
}

__attribute__((constructor(101))) static void rt_ctor(void) { rt_init(); }
