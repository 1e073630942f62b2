/*
 * rt.h - the runtime's private interface: goroutines (G), OS threads (M), the scheduler
 * calls every other module builds on, the spin lock, and fatal-error helpers.
 *
 * A goroutine's stack (one mapping slot, from stack.c):
 *
 *   stack_hi -> +--------------------------+  16-byte aligned
 *               | rt_ctx_entry frame       |  return address undefined (.cfi_undefined rip),
 *               |                          |  so unwinders stop at the goroutine's entry
 *               | fn(arg) and its callees  |
 *               |          ...  grows down |
 *               |                          |  pages committed lazily on first touch
 *   guard_hi -> +--------------------------+
 *               | guard page (PROT_NONE)   |  present while the mapping budget allows;
 *   stack_lo -> +--------------------------+  otherwise the sp check in __tsan_func_entry
 *
 * A goroutine that has not run yet owns no stack (sp and stack_lo are NULL): it gets one
 * when first scheduled, or inherits the stack of the goroutine whose exit scheduled it
 * (stack_pass), and returns it when it exits, so a million spawned-but-not-started
 * goroutines cost only their 128-byte rt_g structs.
 *
 * Ownership: a G is owned by exactly one of (a) the M running it (state G_RUNNING),
 * (b) one run queue (G_RUNNABLE), (c) one wait queue of a sync object or channel, or the
 * timer heap (G_WAITING), (d) the G free list (G_DEAD).  Moving a G between owners
 * happens under the lock of the structure it leaves or enters.
 *
 * Parking protocol (Go's gopark): a goroutine that blocks enqueues itself under the
 * object's lock and calls sched_park(unlock, lock).  The lock is released only once the
 * goroutine is off its stack, so a waker on another M can never resume a G that is
 * still running.
 */
#ifndef RACEDEMO_RT_H
#define RACEDEMO_RT_H

#include "goroutine.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define RT_LIKELY(x) __builtin_expect(!!(x), 1)
#define RT_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define RT_COLD __attribute__((cold, noinline))

/* CLOCK_MONOTONIC in nanoseconds. */
static inline int64_t rt_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- spin lock: held only for a few instructions, never across a park ---------------- */

/* True once a second M may run; until then locks cost nothing (procs = 1 fast path). */
extern bool rt_multi;

static inline void rt_lock(uint32_t *l)
{
    if (!rt_multi)
        return;
    while (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE)) {
        while (__atomic_load_n(l, __ATOMIC_RELAXED))
            __builtin_ia32_pause();
    }
}

static inline void rt_unlock(uint32_t *l)
{
    if (!rt_multi)
        return;
    __atomic_store_n(l, 0, __ATOMIC_RELEASE);
}

/* sched_park callback that releases one rt_lock. */
void rt_unlock_cb(void *lock);

/* ---- goroutines ---------------------------------------------------------------------- */

enum rt_gstate { G_IDLE, G_RUNNABLE, G_RUNNING, G_WAITING, G_DEAD };

/* A goroutine yields after every RT_SPAWN_SLICE go statements on its M.  Go's sysmon
 * preempts a goroutine that ran 10 ms, so a spawning loop lets its children run and
 * their G structs are recycled; procs = 1 cannot use time (a seed must decide the
 * schedule), so it counts spawns.  Without it, spawning a million goroutines that finish
 * at once kept a million G structs (104 MB of fresh memory the kernel zeroes) alive. */
#define RT_SPAWN_SLICE 1024

/* go() records one return address (the go statement); Go's "created by" shows one. */
#define RT_CREATE_DEPTH 1

/*
 * 104 bytes: a million spawned-but-not-yet-run goroutines are a million of these and
 * nothing else, so spawn cost is mostly the memory they occupy (the kernel zeroing it).
 * Hence the union: the entry is dead once the goroutine runs, and what a parked one
 * needs (why it waits, a mutex's lost races or a timer's deadline) never before.  The
 * first 64 bytes hold what go(), the first switch and exit touch.
 */
typedef struct rt_g {
    void *sp;                 /* saved stack pointer; valid while not G_RUNNING;
                                 NULL until the goroutine first runs */
    struct rt_g *schedlink;   /* next in a wait queue or the free list */
    char *stack_lo, *stack_hi;/* NULL until first scheduled (and for main's native stack) */
    int64_t id;               /* Go's goroutine id: 1 is main; never reused */
    enum rt_gstate state;
    uint8_t ncreate;          /* creation stack: return addresses at the go() call */
    bool wait_ok;             /* sync.c: the unlocker handed the mutex over */
    uint16_t home;            /* sched.c: 1 + the M it is pinned to, 0 if it may move */
    union {
        struct {              /* until the goroutine first runs (sp == NULL) */
            void (*fn)(void *);
            void *arg;
            size_t stack_want; /* stack.c: usable bytes asked for, 0: a slot's */
        };
        struct {              /* once it has run */
            const char *wait_reason; /* Go's wording ("chan receive"...); G_WAITING */
            union {
                intptr_t wait_data;  /* sync.c: races a parked mutex waiter lost */
                struct {
                    int64_t wake_ns;    /* timer: when to wake (G_WAITING in sleep) */
                    uint64_t timer_seq; /* tie-breaker so timers fire deterministically */
                };
            };
        };
    };
    struct rt_g *alllink;     /* next on the list of every G struct (dumps skip G_DEAD);
                                 never unlinked: G structs are recycled, not freed */
    int64_t parent_id;        /* creator's id, 0 for main */
    uintptr_t create_pc[RT_CREATE_DEPTH];
    void *race;               /* the detector's per-goroutine state (vector clock...) */
} rt_g;

_Static_assert(sizeof(rt_g) == 104, "rt_g: spawn cost is its size");

/* The G running on this OS thread (&g0 while scheduling); read by the detector's hot
 * path without a call.  Only valid until the next scheduling point. */
extern __thread rt_g *rt_curg __attribute__((tls_model("initial-exec")));

/* Start the runtime: main becomes goroutine 1.  Idempotent; runs as a constructor. */
void rt_init(void);

/* The running goroutine (never NULL after init; main before any go()).  On a single M
 * that is one load; otherwise a call that reads the thread's M. */
extern rt_g *const *const sched_m0_curg;
rt_g *sched_self_slow(void);
static inline rt_g *sched_self(void)
{
    return RT_LIKELY(!rt_multi) ? *sched_m0_curg : sched_self_slow();
}

/* Park the running goroutine in state G_WAITING with Go's `reason`.  unlock(arg), if
 * given, runs once the goroutine is off its stack.  Returns when another goroutine has
 * called sched_ready on it.  `unlock` may only release locks (rt_unlock, sched.mu): on a
 * single M it is not called at all, since those locks are no-ops there. */
void sched_park(const char *reason, void (*unlock)(void *), void *arg);
/* Make a parked goroutine runnable.  Callable from any goroutine (or the scheduler). */
void sched_ready(rt_g *g);

/* May a goroutine busy-wait for a lock instead of parking?  True only at procs > 1 while
 * some other M is running goroutines and the caller's M has nothing else queued. */
bool sched_can_spin(void);

/* Scheduling point callable from instrumentation hooks (detector, schedule exploration):
 * at procs = 1 under an exploring strategy, may switch to another goroutine. */
/* Hook installed by the exploration module; returns true to preempt here. */
extern bool (*sched_should_preempt)(void);
void sched_preempt_slow(void);
static inline void sched_preempt_point(void)
{
    if (RT_UNLIKELY(sched_should_preempt != NULL))
        sched_preempt_slow();
}

/* Schedule exploration (explore.c).  In deterministic mode, when n > 1 goroutines are
 * runnable, sched_pick (if set) returns the index in [0, n) of the one to run next; the
 * candidates are sched_runnable(0 .. n-1).  NULL keeps the seeded uniform choice.  The
 * runnable set may also be read from a preemption hook (sched_nrunnable()).  Only ever
 * called on the single M of a deterministic run, so nothing here takes a lock. */
extern uint32_t (*sched_pick)(uint32_t n);
/* Called by go_yield on the single M before it picks the next goroutine (pct: a yielder
 * waits for someone else, so it drops below every other priority). */
extern void (*sched_yielded)(rt_g *g);
uint32_t sched_nrunnable(void);
rt_g *sched_runnable(uint32_t i);
/* Reads RACEDEMO_STRATEGY and friends and installs the hooks above; called by rt_init. */
void explore_init(void);

/* Deterministic PRNG of the scheduler (seeded by RACEDEMO_SEED).  Only for scheduling
 * decisions and runtime randomness (select), so the seed decides the whole run. */
uint64_t sched_rand(void);
uint64_t sched_seed(void);
/* True while the run is deterministic (procs = 1). */
bool sched_deterministic(void);

/* mutex_lock, mutex_trylock and rwmutex_lock on behalf of a wrapper (pthread.c): the
 * lock-order graph records the user's call at callpc into op, not the wrapper's. */
void sync_mutex_lock_at(mutex_t *mu, uintptr_t callpc, const void *op);
bool sync_mutex_trylock_at(mutex_t *mu, uintptr_t callpc, const void *op);
void sync_rwmutex_lock_at(rwmutex_t *rw, uintptr_t callpc, const void *op);

/* wg_done without the preemption point: for a goroutine's last steps (pthread.c), so
 * that whoever it wakes never finds it still alive, mid-exit. */
void sync_wg_done_last(waitgroup_t *wg);

/* go(fn, arg) whose "created by" is pc, the user's call site of a wrapper (pthread.c),
 * on a stack of at least `stack` usable bytes (0: the default, stack_size()). */
void sched_go_at(void (*fn)(void *), void *arg, uintptr_t pc, size_t stack);

/* Keep the running goroutine on its current M from now on (a pthread, or a goroutine
 * that took errno's address): C code may hold a thread pointer or errno's address across
 * a wait, which must then still be this M's.  g0 and threads the runtime does not run
 * are left alone. */
void sched_pin_self(void);

/* Park the current goroutine until go_now_ns() >= when (timer heap, virtual clock). */
void sched_sleep_until(int64_t when_ns);
/* When the earliest sleeper wakes (go_now_ns clock), INT64_MAX if none sleeps. */
int64_t sched_next_timer_ns(void);

/* For crash reports, which must not throw: the calling thread's goroutine (or its M's
 * scheduler context, id 0) and M id; NULL and -1 on a thread the runtime does not run. */
rt_g *sched_current(void);
int sched_m_id(void);
/* Is the caller a goroutine (not a thread the runtime does not run, nor an M's g0)?  The
 * libc wrappers act only then and leave other callers to glibc. */
static inline bool sched_on_goroutine(void)
{
    rt_g *g = sched_current();
    return g && g->id > 0;
}
/* Is addr some M's errno (the detector drops reports there; sched.c)? */
bool sched_is_m_errno(uintptr_t addr);

/* The list of every G struct (follow alllink; skip G_DEAD; not in id order).  Only safe when the world is stopped
 * (deadlock, fatal error) or from a single M. */
rt_g *sched_all_goroutines(void);
int sched_ngoroutines(void);

/* RACEDEMO_LEAKCHECK=1: report goroutines still alive at exit (leak.c). */
void leak_init(void);

/* ---- stacks (stack.c) ---------------------------------------------------------------- */

/* Usable stack bytes per goroutine (RACEDEMO_STACK_KB, default 2048 - guard). */
size_t stack_size(void);
/* Give g a stack (cached when possible) of g->stack_want usable bytes when that is more
 * than stack_size().  Sets g->stack_lo/hi.  Dies if out of memory. */
void stack_alloc(rt_g *g);
/* `dirty`: what race_go_end returned for g, kept with the stack for its next user. */
void stack_free(rt_g *g, uintptr_t dirty);
/* Exiting goroutine `from` (still running on its stack, about to switch away for good)
 * hands that stack, `dirty` as in stack_free, to `to`, which has none yet; false (and
 * nothing done) when `to` wants a stack of another size. */
bool stack_pass(rt_g *from, rt_g *to, uintptr_t dirty);
/* fork (sched.c's handlers): prepare (paging: every page back) before any lock, the
 * cache lock held across fork, done(child) after. */
void stack_fork_prepare(void);
void stack_fork_lock(void);
void stack_fork_unlock(void);
void stack_fork_done(bool child);
/* If addr lies in a goroutine's guard page or just below its stack, that goroutine. */
bool stack_is_guard(const rt_g *g, const void *addr);

/* Paging of parked stacks (stack.c's top comment).  Off unless RACEDEMO_STACK_PAGING=1 or
 * stack_paging_start (false when the kernel refuses a userfaultfd).  When a parked G is
 * off its stack the scheduler calls stack_parked (before any waker can see it) and then
 * stack_page_out (once no lock is held); stack_resume before a parked G runs again. */
extern bool stack_paging;
bool stack_paging_start(unsigned keep);
void stack_parked(rt_g *g);
void stack_page_out(void);
void stack_resume_slow(rt_g *g);
static inline void stack_resume(rt_g *g)
{
    if (RT_UNLIKELY(stack_paging))
        stack_resume_slow(g);
}
/* Where g's channel waiter record of `size` bytes lives while it is parked: off the
 * stack when paging (so wakers never touch a paged-out stack), else NULL (use a local). */
void *stack_wait_rec_slow(rt_g *g, size_t size);
static inline void *stack_wait_rec(rt_g *g, size_t size)
{
    return RT_UNLIKELY(stack_paging) ? stack_wait_rec_slow(g, size) : NULL;
}
/* Pages paged out and back in so far, and the stack bytes saved when paging out. */
void stack_paging_stats(size_t *released, size_t *restored, size_t *saved_bytes);

/* ---- flockfile (filelock.c) ------------------------------------------------------------ */

/* Before a stdio call on f: wait while another goroutine holds f by flockfile. */
struct _IO_FILE;
extern bool filelock_used; /* some FILE was ever flockfile'd by a goroutine */
void filelock_wait_slow(struct _IO_FILE *f);
static inline void filelock_wait(struct _IO_FILE *f)
{
    if (RT_UNLIKELY(__atomic_load_n(&filelock_used, __ATOMIC_ACQUIRE)))
        filelock_wait_slow(f);
}

/* ---- thread-local storage per goroutine (tls.c) --------------------------------------- */

/* A goroutine's save area ends at the top of its stack: errno in the last
 * RT_TLS_ERRNO_BYTES (a fixed place, so the switch needs no layout load), the program's
 * own __thread bytes in the rt_tls.reserve - RT_TLS_ERRNO_BYTES below. */
#define RT_TLS_ERRNO_BYTES 16
typedef struct rt_tls_layout {
    uint32_t reserve;        /* save area at each stack's top: >= RT_TLS_ERRNO_BYTES */
    uint32_t user;           /* the program's own TLS bytes; 0: only errno is swapped */
    uint32_t d_len, b_len;   /* its .tdata and .tbss parts, */
    intptr_t d_off, b_off;   /* at these offsets from this thread's &rt_tls_mark_data */
    const char *image;       /* .tdata's initial values */
} rt_tls_layout;
extern rt_tls_layout rt_tls;
extern char *tls_main_top;   /* main's save area (main runs on the process stack) */
void tls_init(void);
void tls_save_user(char *top);
void tls_load_user(const char *top);
void tls_load_image(void);

static inline char *tls_top(const rt_g *g) { return g->stack_hi ? g->stack_hi : tls_main_top; }

/* g (alive, on this M whose errno is at errno_p) switches out / in / starts. */
static inline void tls_out(const rt_g *g, const int *errno_p)
{
    char *t = tls_top(g);
    /* stored only when changed (rarely): every stack top is 4 KB aligned, so a store there
     * makes the incoming goroutine's load from its own top wait (4K aliasing) */
    int *saved = (int *)(t - RT_TLS_ERRNO_BYTES), e = *errno_p;
    if (RT_UNLIKELY(*saved != e))
        *saved = e;
    if (RT_UNLIKELY(rt_tls.user))
        tls_save_user(t);
}
static inline void tls_in(const rt_g *g, int *errno_p)
{
    const char *t = tls_top(g);
    int e = *(const int *)(t - RT_TLS_ERRNO_BYTES);
    if (RT_UNLIKELY(*errno_p != e))
        *errno_p = e;
    if (RT_UNLIKELY(rt_tls.user))
        tls_load_user(t);
}
static inline void tls_fresh(int *errno_p)
{
    *errno_p = 0;
    if (RT_UNLIKELY(rt_tls.user))
        tls_load_image();
}

/* ---- context switch (ctx_x86_64.S) ------------------------------------------------------ */

/* Save callee-saved registers on the current stack, store sp in *save, load new_sp,
 * restore and return there. */
void rt_ctx_switch(void **save, void *new_sp);
/* Like rt_ctx_switch, but into a context that never ran: sp becomes the 16-byte aligned
 * top of [.., hi) less 16, and entry(arg) is called there as from rt_ctx_entry (never
 * returning).  Nothing is written to the new stack before the switch. */
void rt_ctx_start(void **save, char *hi, void (*entry)(void *), void *arg);
/* Build the initial frame of a fresh context at the top of [lo, hi) that, when switched
 * to, calls entry(arg) and never returns.  Returns the sp to switch to. */
void *rt_ctx_make(char *hi, void (*entry)(void *), void *arg);

/* ---- fatal errors (panic.c) ------------------------------------------------------------- */

/* Go's `throw`: a broken runtime invariant.  Prints "fatal error: msg" and exits 2. */
_Noreturn RT_COLD void rt_throw(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Go's user-misuse panic ("send on closed channel"): "panic: msg", the stack, exit 2. */
_Noreturn RT_COLD void rt_panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "fatal error: all goroutines are asleep - deadlock!" plus every goroutine's dump. */
_Noreturn RT_COLD void rt_deadlock(void);
/* Print "goroutine N [state]:" and its stack for every goroutine (Go's traceback). */
void rt_dump_goroutines(int fd, const rt_g *first);
/* Print one goroutine's header and stack to fd. */
void rt_dump_goroutine(int fd, const rt_g *g);
/* Signals (signal.c): rt_signals_init installs the SIGSEGV, SIGBUS, SIGFPE, SIGILL,
 * SIGABRT and SIGTRAP handlers once; rt_signals_init_thread gives the calling OS thread
 * the alternate signal stack a stack overflow is reported on (every M calls it). */
void rt_signals_init_thread(void);
void rt_signals_init(void);
/* "fatal error: stack overflow" for the running goroutine, reported on the M's alternate
 * stack.  For the detector's sp check in __tsan_func_entry (stacks without a guard page);
 * needs about 128 bytes of the exhausted stack. */
_Noreturn RT_COLD void rt_stack_overflow(void);

/* Always-on internal assertion (libdill's dill_assert): file:line even with NDEBUG. */
#define rt_assert(x) \
    do { if (RT_UNLIKELY(!(x))) rt_throw("assertion failed: %s (%s:%d)", #x, __FILE__, __LINE__); } while (0)

/* ---- wait queues (FIFO of parked goroutines, linked through schedlink) ----------------- */

static inline void waitq_push(rt_waitq_t *q, rt_g *g)
{
    g->schedlink = NULL;
    if (q->tail)
        q->tail->schedlink = g;
    else
        q->head = g;
    q->tail = g;
}

static inline rt_g *waitq_pop(rt_waitq_t *q)
{
    rt_g *g = q->head;
    if (g) {
        q->head = g->schedlink;
        if (!q->head)
            q->tail = NULL;
        g->schedlink = NULL;
    }
    return g;
}

/* Detach the whole queue (lock held); wake it with waitq_ready_all (lock dropped). */
static inline rt_g *waitq_take_all(rt_waitq_t *q)
{
    rt_g *list = q->head;
    q->head = q->tail = NULL;
    return list;
}
void waitq_ready_all(rt_g *list);

/* Remove g if queued (select cancels its other cases).  O(n). */
bool waitq_remove(rt_waitq_t *q, rt_g *g);

/* Park the caller, queued under *lock (an rt_lock, held), with Go's "semacquire" reason;
 * the lock is dropped once it is off its stack (sync.c). */
void sync_park(uint32_t *lock);

#endif
