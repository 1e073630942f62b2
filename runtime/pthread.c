/*
 * pthread.c - POSIX threads as goroutines.  A C program written with pthreads and linked
 * with the wrap flags (racecc, racedemo check, racedemo.pc) runs each pthread_create'd
 * thread as a goroutine and its mutexes, condition variables, read-write locks, once,
 * barriers, spin locks, semaphores and thread-specific data on the runtime's primitives.
 * So everything goroutine programs get, pthreads programs get too: seeded schedules at
 * procs = 1 (byte-identical output per seed), the race detector's happens-before edges
 * (create before the thread's start, its end before the join that returns, unlock before
 * the next lock, post before the wait it satisfies, every barrier arrival before any
 * departure, once's routine before every pthread_once returns), Go's deadlock report when
 * every thread blocks, and sleep/usleep/nanosleep on the runtime's (virtual) clock.
 *
 * Who gets them: calls made on a goroutine.  Before the runtime starts or on a thread it
 * does not run, the wrappers are glibc's.  The runtime's own threads and locks never come
 * here (os.h).
 *
 * The objects live in the user's pthread_*_t storage, zero meaning ready (the static
 * initialisers are zeros), except a mutex from one of glibc's non-default static
 * initialisers, which pt_kind converts on first use.  Timed waits poll every PT_SLICE_NS
 * of the runtime's clock; a timed condition wait is not queued but watches the count of
 * signals, so any signal or broadcast after it started ends it (a waiter queued too may
 * wake as well: POSIX allows that).  pthread_t is the address of a pt_thread.
 *
 * Locking: pt.lock (an rt_lock) guards the goroutine-id table, the thread records' join
 * state and the key table; a record is freed when its thread and its joiner (or detach)
 * both dropped it (refs).
 */
#define _GNU_SOURCE
#include "rt.h"
#include "os.h"
#include "race.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <semaphore.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uthash.h>

#define PT_SLICE_NS 1000000
#define PT_KEYS 1024
#define PT_DTOR_ROUNDS 4

typedef struct pt_spec {
    uint64_t seq; /* the key's generation when set: a deleted and re-created key reads NULL */
    void *val;
} pt_spec;

typedef struct pt_thread {
    void *(*fn)(void *);
    void *arg, *ret;
    int64_t goid;          /* 0 until the thread runs */
    rt_g *g;               /* while it runs (pthread_getattr_np) */
    waitgroup_t done;      /* 1 until it ends: its end happens before the join */
    uint32_t refs;         /* the thread's own, and its joiner's until joined or detached */
    bool detached, joining;
    pt_spec *spec;
    unsigned nspec;
    char name[16];
    UT_hash_handle hh;     /* pt.byid, by goid */
} pt_thread;

static struct {
    uint32_t lock;
    pt_thread *byid;
    pt_thread main_rec;    /* goroutine 1 (and goroutines go() started, lazily: byid) */
    waitgroup_t all;       /* threads alive: main's pthread_exit waits for them */
    struct {
        uint64_t seq;      /* odd: in use */
        void (*dtor)(void *);
    } keys[PT_KEYS];
} pt = {.main_rec = {.goid = 1}};

#define PT_RA() ((uintptr_t)__builtin_return_address(0))

/* ---- threads ----------------------------------------------------------------------------- */

int __real_pthread_create(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);
int __real_pthread_join(pthread_t, void **);
int __real_pthread_detach(pthread_t);
pthread_t __real_pthread_self(void);
_Noreturn void __real_pthread_exit(void *);
int __real_pthread_setname_np(pthread_t, const char *);
int __real_pthread_getname_np(pthread_t, char *, size_t);
int __real_pthread_getattr_np(pthread_t, pthread_attr_t *);
int __real_pthread_kill(pthread_t, int);

/* The calling goroutine's record; one is made for goroutines go() started (never freed:
 * no hook sees them end) when create says so, else NULL for them. */
static pt_thread *pt_self(bool create)
{
    int64_t id = go_id();
    if (id == 1)
        return &pt.main_rec;
    pt_thread *r;
    rt_lock(&pt.lock);
    HASH_FIND(hh, pt.byid, &id, sizeof id, r);
    if (!r && create && (r = calloc(1, sizeof *r))) {
        r->goid = id;
        r->detached = true;
        r->refs = 1;
        HASH_ADD(hh, pt.byid, goid, sizeof r->goid, r);
    }
    rt_unlock(&pt.lock);
    return r;
}

static void pt_unref(pt_thread *r)
{
    if (__atomic_sub_fetch(&r->refs, 1, __ATOMIC_ACQ_REL) == 0) {
        free(r->spec);
        free(r);
    }
}

/* POSIX: each non-NULL value whose key has a destructor is reset and passed to it, in
 * rounds, while destructors set new values. */
static void pt_run_dtors(pt_thread *r)
{
    for (int round = 0; round < PT_DTOR_ROUNDS; round++) {
        bool any = false;
        for (unsigned k = 0; k < r->nspec; k++) {
            void *v = r->spec[k].val;
            void (*dtor)(void *) = pt.keys[k].dtor;
            if (!v || !dtor || r->spec[k].seq != __atomic_load_n(&pt.keys[k].seq, __ATOMIC_ACQUIRE))
                continue;
            r->spec[k].val = NULL;
            dtor(v);
            any = true;
        }
        if (!any)
            return;
    }
}

static void pt_finish(pt_thread *r, void *ret)
{
    r->ret = ret;
    pt_run_dtors(r);
    rt_lock(&pt.lock);
    HASH_DEL(pt.byid, r);
    r->g = NULL;
    rt_unlock(&pt.lock);
    /* no scheduling point from here to the goroutine's end: a joiner (or main's
     * pthread_exit) woken here must never see this thread alive */
    sync_wg_done_last(&r->done);
    sync_wg_done_last(&pt.all);
    pt_unref(r);
}

static void pt_start(void *p)
{
    pt_thread *r = p;
    sched_pin_self(); /* a thread never changes OS thread under its code */
    r->goid = go_id();
    r->g = sched_current();
    rt_lock(&pt.lock);
    HASH_ADD(hh, pt.byid, goid, sizeof r->goid, r);
    rt_unlock(&pt.lock);
    pt_finish(r, r->fn(r->arg));
}

/* The stack glibc would give the thread: the attribute's size, else its default (the
 * stack rlimit, 8 MB here); 0 when a goroutine's is as big (RACEDEMO_STACK_KB). */
static size_t pt_stack_want(const pthread_attr_t *attr)
{
    size_t n = 0;
    pthread_attr_t d;
    if (attr) {
        pthread_attr_getstacksize(attr, &n);
    } else if (pthread_attr_init(&d) == 0) {
        pthread_attr_getstacksize(&d, &n);
        pthread_attr_destroy(&d);
    }
    return n > stack_size() ? n : 0;
}

int __wrap_pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
    if (!sched_on_goroutine())
        return __real_pthread_create(t, attr, fn, arg);
    int ds = PTHREAD_CREATE_JOINABLE;
    if (attr && pthread_attr_getdetachstate(attr, &ds) != 0)
        return EINVAL;
    pt_thread *r = calloc(1, sizeof *r);
    if (!r)
        return EAGAIN;
    r->fn = fn;
    r->arg = arg;
    r->detached = ds == PTHREAD_CREATE_DETACHED;
    r->refs = r->detached ? 1 : 2;
    wg_add(&r->done, 1);
    wg_add(&pt.all, 1);
    *t = (pthread_t)r; /* before it runs: glibc's order, the thread may read *t */
    sched_go_at(pt_start, r, PT_RA(), pt_stack_want(attr));
    return 0;
}

int __wrap_pthread_join(pthread_t t, void **ret)
{
    if (!sched_on_goroutine())
        return __real_pthread_join(t, ret);
    pt_thread *r = (pt_thread *)t;
    if (r->goid == go_id())
        return EDEADLK;
    rt_lock(&pt.lock);
    bool bad = r->detached || r->joining;
    r->joining = true;
    rt_unlock(&pt.lock);
    if (bad)
        return EINVAL;
    if (r == &pt.main_rec)
        for (;;)
            sched_park("pthread_join", NULL, NULL); /* main only ends with the process */
    wg_wait(&r->done);
    if (ret)
        *ret = r->ret;
    pt_unref(r);
    return 0;
}

int __wrap_pthread_detach(pthread_t t)
{
    if (!sched_on_goroutine())
        return __real_pthread_detach(t);
    pt_thread *r = (pt_thread *)t;
    rt_lock(&pt.lock);
    bool bad = r->detached || r->joining;
    r->detached = true;
    rt_unlock(&pt.lock);
    if (bad)
        return EINVAL;
    if (r != &pt.main_rec)
        pt_unref(r);
    return 0;
}

pthread_t __wrap_pthread_self(void)
{
    if (!sched_on_goroutine())
        return __real_pthread_self();
    pt_thread *r = pt_self(true);
    if (!r)
        rt_throw("pthread_self: out of memory");
    return (pthread_t)r;
}

/* The calling thread ends with ret.  main's pthread_exit lets the others run on and
 * exits with status 0 after the last one (POSIX), not Go's Goexit-from-main deadlock. */
_Noreturn void __wrap_pthread_exit(void *ret)
{
    if (!sched_on_goroutine())
        __real_pthread_exit(ret);
    if (go_id() == 1) {
        wg_wait(&pt.all);
        exit(0);
    }
    pt_thread *r = pt_self(false);
    if (r && r->fn)
        pt_finish(r, ret);
    go_exit();
}

int __wrap_pthread_setname_np(pthread_t t, const char *name)
{
    if (!sched_on_goroutine())
        return __real_pthread_setname_np(t, name);
    if (strlen(name) >= sizeof ((pt_thread *)0)->name)
        return ERANGE;
    strcpy(((pt_thread *)t)->name, name);
    return 0;
}

int __wrap_pthread_getname_np(pthread_t t, char *buf, size_t n)
{
    if (!sched_on_goroutine())
        return __real_pthread_getname_np(t, buf, n);
    const char *name = ((pt_thread *)t)->name;
    if (strlen(name) >= n)
        return ERANGE;
    strcpy(buf, name);
    return 0;
}

/* The process's initial thread, whose stack main keeps on whatever M it runs. */
static pthread_t pt_main_os;
__attribute__((constructor)) static void pt_note_main_thread(void) { pt_main_os = rt_os_pthread_self(); }

int __wrap_pthread_getattr_np(pthread_t t, pthread_attr_t *attr)
{
    if (!sched_on_goroutine())
        return __real_pthread_getattr_np(t, attr);
    if (t == (pthread_t)&pt.main_rec) /* main runs on the process's own stack */
        return __real_pthread_getattr_np(pt_main_os, attr);
    pt_thread *r = (pt_thread *)t;
    rt_lock(&pt.lock);
    rt_g *g = r->g;
    rt_unlock(&pt.lock);
    if (!g || !g->stack_lo)
        return ESRCH;
    pthread_attr_init(attr);
    pthread_attr_setstack(attr, g->stack_lo, (size_t)(g->stack_hi - g->stack_lo));
    return 0;
}

/* What has no goroutine equivalent fails loudly: glibc would take our pthread_t for its
 * own thread struct and crash. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#define PT_UNSUPPORTED(ret, name, params)                                                 \
    ret __wrap_##name params                                                              \
    {                                                                                     \
        rt_throw(#name ": not supported (racedemo runs pthreads as goroutines)");         \
    }
PT_UNSUPPORTED(int, pthread_cancel, (pthread_t t))
PT_UNSUPPORTED(int, pthread_setaffinity_np, (pthread_t t, size_t n, const cpu_set_t *s))
PT_UNSUPPORTED(int, pthread_getaffinity_np, (pthread_t t, size_t n, cpu_set_t *s))
PT_UNSUPPORTED(int, pthread_setschedparam, (pthread_t t, int p, const struct sched_param *s))
PT_UNSUPPORTED(int, pthread_getschedparam, (pthread_t t, int *p, struct sched_param *s))
PT_UNSUPPORTED(sem_t *, sem_open, (const char *name, int oflag, ...))
#pragma GCC diagnostic pop

int __wrap_pthread_kill(pthread_t t, int sig)
{
    if (!sched_on_goroutine())
        return __real_pthread_kill(t, sig);
    if (sig != 0)
        rt_throw("pthread_kill: signals to threads are not supported (racedemo runs pthreads as goroutines)");
    return 0;
}

/* ---- time ---------------------------------------------------------------------------------- */

unsigned __real_sleep(unsigned);
int __real_usleep(useconds_t);
int __real_nanosleep(const struct timespec *, struct timespec *);
int __real_sched_yield(void);

unsigned __wrap_sleep(unsigned s)
{
    if (!sched_on_goroutine())
        return __real_sleep(s);
    go_sleep_ns((int64_t)s * 1000000000);
    return 0;
}

int __wrap_usleep(useconds_t us)
{
    if (!sched_on_goroutine())
        return __real_usleep(us);
    go_sleep_ns((int64_t)us * 1000);
    return 0;
}

int __wrap_nanosleep(const struct timespec *req, struct timespec *rem)
{
    if (!sched_on_goroutine())
        return __real_nanosleep(req, rem);
    if (req->tv_nsec < 0 || req->tv_nsec >= 1000000000 || req->tv_sec < 0) {
        errno = EINVAL;
        return -1;
    }
    int64_t s = req->tv_sec < INT64_MAX / 1000000000 - 1 ? req->tv_sec : INT64_MAX / 1000000000 - 1;
    go_sleep_ns(s * 1000000000 + req->tv_nsec);
    if (rem)
        *rem = (struct timespec){0, 0};
    return 0;
}

int __wrap_sched_yield(void)
{
    if (!sched_on_goroutine())
        return __real_sched_yield();
    go_yield();
    return 0;
}

/* An absolute time on clock `clock` as a deadline on the runtime's clock (go_now_ns),
 * which is virtual at procs = 1. */
static int64_t pt_deadline(const struct timespec *abs, clockid_t clock)
{
    struct timespec now;
    clock_gettime(clock, &now);
    int64_t left = (int64_t)(abs->tv_sec - now.tv_sec) * 1000000000 + (abs->tv_nsec - now.tv_nsec);
    return go_now_ns() + (left > 0 ? left : 0);
}

/* Sleep one slice towards deadline; false once it has passed. */
static bool pt_wait_slice(int64_t deadline)
{
    int64_t left = deadline - go_now_ns();
    if (left <= 0)
        return false;
    go_sleep_ns(left < PT_SLICE_NS ? left : PT_SLICE_NS);
    return true;
}

static bool pt_bad_abstime(const struct timespec *abs)
{
    return !abs || abs->tv_nsec < 0 || abs->tv_nsec >= 1000000000;
}

/* ---- mutexes ------------------------------------------------------------------------------- */

typedef struct pt_mutex {
    mutex_t mu;            /* bytes 0-23 */
    int64_t owner;         /* goroutine id of the holder, 0 */
    uint32_t depth;        /* a recursive mutex's locks beyond the first */
    uint32_t kind;         /* PT_KIND_SET | PTHREAD_MUTEX_*, 0 before the first use */
} pt_mutex;
_Static_assert(sizeof(pt_mutex) <= sizeof(pthread_mutex_t), "pt_mutex fits");
_Static_assert(offsetof(pthread_mutex_t, __data.__kind) == offsetof(pt_mutex, mu._waiters.tail),
               "glibc's static initialisers put the kind where pt_kind looks for it");
#define PT_KIND_SET 0x100u
#define PT_KIND_BUSY 0x200u

int __real_pthread_mutex_init(pthread_mutex_t *, const pthread_mutexattr_t *);
int __real_pthread_mutex_destroy(pthread_mutex_t *);
int __real_pthread_mutex_lock(pthread_mutex_t *);
int __real_pthread_mutex_trylock(pthread_mutex_t *);
int __real_pthread_mutex_timedlock(pthread_mutex_t *, const struct timespec *);
int __real_pthread_mutex_unlock(pthread_mutex_t *);

/* First use of a statically initialised mutex: PTHREAD_MUTEX_INITIALIZER is all zeros,
 * glibc's RECURSIVE/ERRORCHECK/ADAPTIVE initialisers put their kind (1-3) in the word
 * that is our wait queue's tail, which must become NULL before anyone queues. */
static RT_COLD int pt_kind_first(pt_mutex *m)
{
    uint32_t k = 0;
    if (__atomic_compare_exchange_n(&m->kind, &k, PT_KIND_BUSY, false, __ATOMIC_ACQUIRE,
                                    __ATOMIC_ACQUIRE)) {
        uintptr_t t = (uintptr_t)m->mu._waiters.tail;
        uint32_t kind = t <= 3 ? (uint32_t)t : 0;
        m->mu._waiters.tail = NULL;
        __atomic_store_n(&m->kind, PT_KIND_SET | kind, __ATOMIC_RELEASE);
        return (int)kind;
    }
    while (!((k = __atomic_load_n(&m->kind, __ATOMIC_ACQUIRE)) & PT_KIND_SET))
        __builtin_ia32_pause(); /* the first user is converting it, a few stores */
    return (int)(k & 0xff);
}

static inline int pt_kind(pt_mutex *m)
{
    uint32_t k = __atomic_load_n(&m->kind, __ATOMIC_ACQUIRE);
    return RT_LIKELY(k & PT_KIND_SET) ? (int)(k & 0xff) : pt_kind_first(m);
}

static inline int64_t pt_owner(const pt_mutex *m) { return __atomic_load_n(&m->owner, __ATOMIC_RELAXED); }
static inline void pt_set_owner(pt_mutex *m, int64_t id) { __atomic_store_n(&m->owner, id, __ATOMIC_RELAXED); }

int __wrap_pthread_mutex_init(pthread_mutex_t *pm, const pthread_mutexattr_t *attr)
{
    if (!sched_on_goroutine())
        return __real_pthread_mutex_init(pm, attr);
    int kind = PTHREAD_MUTEX_DEFAULT;
    if (attr && pthread_mutexattr_gettype(attr, &kind) != 0)
        return EINVAL;
    pt_mutex *m = (pt_mutex *)pm;
    memset(pm, 0, sizeof *pm);
    m->kind = PT_KIND_SET | (uint32_t)kind;
    return 0;
}

int __wrap_pthread_mutex_destroy(pthread_mutex_t *pm)
{
    if (!sched_on_goroutine())
        return __real_pthread_mutex_destroy(pm);
    return __atomic_load_n(&((pt_mutex *)pm)->mu._locked, __ATOMIC_RELAXED) & 1 ? EBUSY : 0;
}

/* A lock the caller already holds: the kind decides (0 to count it, an error, or -1 to
 * block on it like any other, as a normal mutex does: a self-deadlock). */
static int pt_relock(pt_mutex *m, int kind, int busy)
{
    if (kind == PTHREAD_MUTEX_RECURSIVE) {
        if (m->depth == UINT32_MAX)
            return EAGAIN;
        m->depth++;
        return 0;
    }
    return kind == PTHREAD_MUTEX_ERRORCHECK ? busy : -1;
}

/* Lock m for the user's call at callpc into op, waiting for it or (wait false) EBUSY if
 * that would wait. */
static int pt_mutex_take(pt_mutex *m, bool wait, uintptr_t callpc, const void *op)
{
    int kind = pt_kind(m), rc;
    int64_t me = go_id();
    if (pt_owner(m) == me && (rc = pt_relock(m, kind, wait ? EDEADLK : EBUSY)) >= 0)
        return rc;
    if (wait)
        sync_mutex_lock_at(&m->mu, callpc, op);
    else if (!sync_mutex_trylock_at(&m->mu, callpc, op))
        return EBUSY;
    pt_set_owner(m, me);
    return 0;
}

int __wrap_pthread_mutex_lock(pthread_mutex_t *pm)
{
    if (!sched_on_goroutine())
        return __real_pthread_mutex_lock(pm);
    return pt_mutex_take((pt_mutex *)pm, true, PT_RA(), (const void *)__wrap_pthread_mutex_lock);
}

int __wrap_pthread_mutex_trylock(pthread_mutex_t *pm)
{
    if (!sched_on_goroutine())
        return __real_pthread_mutex_trylock(pm);
    return pt_mutex_take((pt_mutex *)pm, false, PT_RA(), (const void *)__wrap_pthread_mutex_trylock);
}

int __wrap_pthread_mutex_timedlock(pthread_mutex_t *pm, const struct timespec *abs)
{
    if (!sched_on_goroutine())
        return __real_pthread_mutex_timedlock(pm, abs);
    pt_mutex *m = (pt_mutex *)pm;
    uintptr_t ra = PT_RA();
    const void *op = (const void *)__wrap_pthread_mutex_timedlock;
    int rc = pt_mutex_take(m, false, ra, op);
    if (rc != EBUSY)
        return rc;
    if (pt_bad_abstime(abs))
        return EINVAL;
    int64_t deadline = pt_deadline(abs, CLOCK_REALTIME);
    while ((rc = pt_mutex_take(m, false, ra, op)) == EBUSY)
        if (!pt_wait_slice(deadline))
            return ETIMEDOUT;
    return rc;
}

int __wrap_pthread_mutex_unlock(pthread_mutex_t *pm)
{
    if (!sched_on_goroutine())
        return __real_pthread_mutex_unlock(pm);
    pt_mutex *m = (pt_mutex *)pm;
    int kind = pt_kind(m);
    if (kind == PTHREAD_MUTEX_RECURSIVE || kind == PTHREAD_MUTEX_ERRORCHECK) {
        if (pt_owner(m) != go_id())
            return EPERM;
        if (m->depth) {
            m->depth--;
            return 0;
        }
    }
    pt_set_owner(m, 0);
    mutex_unlock(&m->mu); /* a normal mutex not locked: Go's fatal error */
    return 0;
}

/* ---- condition variables ------------------------------------------------------------------- */

typedef struct pt_cond {
    cond_t c;
    int32_t clock;         /* of timedwait's absolute times (condattr_setclock) */
    uint32_t signals;      /* signals and broadcasts so far: what timed waiters watch */
} pt_cond;
_Static_assert(sizeof(pt_cond) <= sizeof(pthread_cond_t), "pt_cond fits");

int __real_pthread_cond_init(pthread_cond_t *, const pthread_condattr_t *);
int __real_pthread_cond_destroy(pthread_cond_t *);
int __real_pthread_cond_wait(pthread_cond_t *, pthread_mutex_t *);
int __real_pthread_cond_timedwait(pthread_cond_t *, pthread_mutex_t *, const struct timespec *);
int __real_pthread_cond_signal(pthread_cond_t *);
int __real_pthread_cond_broadcast(pthread_cond_t *);

int __wrap_pthread_cond_init(pthread_cond_t *pc, const pthread_condattr_t *attr)
{
    if (!sched_on_goroutine())
        return __real_pthread_cond_init(pc, attr);
    clockid_t clock = CLOCK_REALTIME;
    if (attr && pthread_condattr_getclock(attr, &clock) != 0)
        return EINVAL;
    memset(pc, 0, sizeof *pc);
    ((pt_cond *)pc)->clock = (int32_t)clock;
    return 0;
}

int __wrap_pthread_cond_destroy(pthread_cond_t *pc)
{
    if (!sched_on_goroutine())
        return __real_pthread_cond_destroy(pc);
    return __atomic_load_n(&((pt_cond *)pc)->c._waiters.head, __ATOMIC_RELAXED) ? EBUSY : 0;
}

/* The holder's bookkeeping around a wait that gives the mutex up and takes it back. */
typedef struct pt_held {
    uint32_t depth;
} pt_held;

static int pt_release_held(pt_mutex *m, pt_held *h)
{
    int kind = pt_kind(m);
    if ((kind == PTHREAD_MUTEX_RECURSIVE || kind == PTHREAD_MUTEX_ERRORCHECK) && pt_owner(m) != go_id())
        return EPERM;
    h->depth = m->depth;
    m->depth = 0;
    pt_set_owner(m, 0);
    return 0;
}

static void pt_retake_held(pt_mutex *m, const pt_held *h)
{
    pt_set_owner(m, go_id());
    m->depth = h->depth;
}

int __wrap_pthread_cond_wait(pthread_cond_t *pc, pthread_mutex_t *pm)
{
    if (!sched_on_goroutine())
        return __real_pthread_cond_wait(pc, pm);
    pt_mutex *m = (pt_mutex *)pm;
    pt_held h;
    if (pt_release_held(m, &h))
        return EPERM;
    cond_wait(&((pt_cond *)pc)->c, &m->mu);
    pt_retake_held(m, &h);
    return 0;
}

int __wrap_pthread_cond_timedwait(pthread_cond_t *pc, pthread_mutex_t *pm, const struct timespec *abs)
{
    if (!sched_on_goroutine())
        return __real_pthread_cond_timedwait(pc, pm, abs);
    if (pt_bad_abstime(abs))
        return EINVAL;
    pt_mutex *m = (pt_mutex *)pm;
    int64_t deadline = pt_deadline(abs, ((pt_cond *)pc)->clock);
    if (go_now_ns() >= deadline)
        return ETIMEDOUT;
    pt_held h;
    if (pt_release_held(m, &h))
        return EPERM;
    pt_cond *c = (pt_cond *)pc;
    uint32_t seen = __atomic_load_n(&c->signals, __ATOMIC_ACQUIRE);
    mutex_unlock(&m->mu);
    bool signalled;
    while (!(signalled = __atomic_load_n(&c->signals, __ATOMIC_ACQUIRE) != seen))
        if (!pt_wait_slice(deadline))
            break;
    mutex_lock(&m->mu);
    pt_retake_held(m, &h);
    return signalled ? 0 : ETIMEDOUT;
}

int __wrap_pthread_cond_signal(pthread_cond_t *pc)
{
    if (!sched_on_goroutine())
        return __real_pthread_cond_signal(pc);
    __atomic_add_fetch(&((pt_cond *)pc)->signals, 1, __ATOMIC_RELEASE);
    cond_signal(&((pt_cond *)pc)->c);
    return 0;
}

int __wrap_pthread_cond_broadcast(pthread_cond_t *pc)
{
    if (!sched_on_goroutine())
        return __real_pthread_cond_broadcast(pc);
    __atomic_add_fetch(&((pt_cond *)pc)->signals, 1, __ATOMIC_RELEASE);
    cond_broadcast(&((pt_cond *)pc)->c);
    return 0;
}

/* ---- read-write locks ---------------------------------------------------------------------- */

_Static_assert(sizeof(rwmutex_t) <= sizeof(pthread_rwlock_t), "rwmutex_t fits");

int __real_pthread_rwlock_init(pthread_rwlock_t *, const pthread_rwlockattr_t *);
int __real_pthread_rwlock_destroy(pthread_rwlock_t *);
int __real_pthread_rwlock_rdlock(pthread_rwlock_t *);
int __real_pthread_rwlock_wrlock(pthread_rwlock_t *);
int __real_pthread_rwlock_tryrdlock(pthread_rwlock_t *);
int __real_pthread_rwlock_trywrlock(pthread_rwlock_t *);
int __real_pthread_rwlock_unlock(pthread_rwlock_t *);

#define PT_RW(l) ((rwmutex_t *)(l))

int __wrap_pthread_rwlock_init(pthread_rwlock_t *l, const pthread_rwlockattr_t *attr)
{
    if (!sched_on_goroutine())
        return __real_pthread_rwlock_init(l, attr);
    memset(l, 0, sizeof *l);
    return 0;
}

int __wrap_pthread_rwlock_destroy(pthread_rwlock_t *l)
{
    if (!sched_on_goroutine())
        return __real_pthread_rwlock_destroy(l);
    rwmutex_t *rw = PT_RW(l);
    return __atomic_load_n(&rw->_writer, __ATOMIC_RELAXED) || __atomic_load_n(&rw->_readers, __ATOMIC_RELAXED)
               ? EBUSY
               : 0;
}

int __wrap_pthread_rwlock_rdlock(pthread_rwlock_t *l)
{
    if (!sched_on_goroutine())
        return __real_pthread_rwlock_rdlock(l);
    rwmutex_rlock(PT_RW(l));
    return 0;
}

int __wrap_pthread_rwlock_wrlock(pthread_rwlock_t *l)
{
    if (!sched_on_goroutine())
        return __real_pthread_rwlock_wrlock(l);
    sync_rwmutex_lock_at(PT_RW(l), PT_RA(), (const void *)__wrap_pthread_rwlock_wrlock);
    return 0;
}

int __wrap_pthread_rwlock_tryrdlock(pthread_rwlock_t *l)
{
    if (!sched_on_goroutine())
        return __real_pthread_rwlock_tryrdlock(l);
    return rwmutex_tryrlock(PT_RW(l)) ? 0 : EBUSY;
}

int __wrap_pthread_rwlock_trywrlock(pthread_rwlock_t *l)
{
    if (!sched_on_goroutine())
        return __real_pthread_rwlock_trywrlock(l);
    return rwmutex_trylock(PT_RW(l)) ? 0 : EBUSY;
}

/* A writer holds it exactly while _writer is set, and no reader holds it then: so a
 * holder can tell which unlock it owes without a record of its own. */
int __wrap_pthread_rwlock_unlock(pthread_rwlock_t *l)
{
    if (!sched_on_goroutine())
        return __real_pthread_rwlock_unlock(l);
    rwmutex_t *rw = PT_RW(l);
    if (__atomic_load_n(&rw->_writer, __ATOMIC_RELAXED))
        rwmutex_unlock(rw);
    else
        rwmutex_runlock(rw);
    return 0;
}

/* ---- once ------------------------------------------------------------------------------------ */

int __real_pthread_once(pthread_once_t *, void (*)(void));

enum { ONCE_NEW, ONCE_RUNNING, ONCE_DONE };
static struct {
    uint32_t lock;
    rt_waitq_t waiters;    /* of every once in progress: woken together, each rechecks */
} pt_once;

int __wrap_pthread_once(pthread_once_t *o, void (*fn)(void))
{
    if (!sched_on_goroutine())
        return __real_pthread_once(o, fn);
    sched_preempt_point();
    if (__atomic_load_n(o, __ATOMIC_ACQUIRE) != ONCE_DONE) {
        rt_lock(&pt_once.lock);
        if (*o == ONCE_NEW) {
            *o = ONCE_RUNNING;
            rt_unlock(&pt_once.lock);
            fn();
            race_release(o);
            rt_lock(&pt_once.lock);
            __atomic_store_n(o, ONCE_DONE, __ATOMIC_RELEASE);
            rt_g *list = waitq_take_all(&pt_once.waiters);
            rt_unlock(&pt_once.lock);
            waitq_ready_all(list);
        } else {
            while (*o != ONCE_DONE) {
                waitq_push(&pt_once.waiters, sched_self());
                sched_park("sync.Once.Do", rt_unlock_cb, &pt_once.lock);
                rt_lock(&pt_once.lock);
            }
            rt_unlock(&pt_once.lock);
        }
    }
    race_acquire(o);
    return 0;
}

/* ---- barriers -------------------------------------------------------------------------------- */

typedef struct pt_barrier {
    uint32_t lock, count, arrived, round;
    rt_waitq_t waiters;
} pt_barrier;
_Static_assert(sizeof(pt_barrier) <= sizeof(pthread_barrier_t), "pt_barrier fits");

int __real_pthread_barrier_init(pthread_barrier_t *, const pthread_barrierattr_t *, unsigned);
int __real_pthread_barrier_destroy(pthread_barrier_t *);
int __real_pthread_barrier_wait(pthread_barrier_t *);

int __wrap_pthread_barrier_init(pthread_barrier_t *pb, const pthread_barrierattr_t *attr, unsigned n)
{
    if (!sched_on_goroutine())
        return __real_pthread_barrier_init(pb, attr, n);
    if (n == 0)
        return EINVAL;
    memset(pb, 0, sizeof *pb);
    ((pt_barrier *)pb)->count = n;
    return 0;
}

int __wrap_pthread_barrier_destroy(pthread_barrier_t *pb)
{
    if (!sched_on_goroutine())
        return __real_pthread_barrier_destroy(pb);
    return __atomic_load_n(&((pt_barrier *)pb)->arrived, __ATOMIC_RELAXED) ? EBUSY : 0;
}

/* Every arrival of a round happens before every departure from it.  Arrivals merge into
 * a sync object per round parity: round r + 2 cannot start before everyone left round
 * r, so a departure never acquires a later round's arrivals. */
int __wrap_pthread_barrier_wait(pthread_barrier_t *pb)
{
    if (!sched_on_goroutine())
        return __real_pthread_barrier_wait(pb);
    sched_preempt_point();
    pt_barrier *b = (pt_barrier *)pb;
    /* stable: the round cannot end before this arrival */
    const char *sync = (const char *)b + (__atomic_load_n(&b->round, __ATOMIC_RELAXED) & 1);
    race_release_merge(sync);
    rt_lock(&b->lock);
    if (++b->arrived < b->count) {
        waitq_push(&b->waiters, sched_self());
        sync_park(&b->lock);
        race_acquire(sync);
        return 0;
    }
    b->arrived = 0;
    __atomic_store_n(&b->round, b->round + 1, __ATOMIC_RELAXED);
    rt_g *list = waitq_take_all(&b->waiters);
    rt_unlock(&b->lock);
    waitq_ready_all(list);
    race_acquire(sync);
    return PTHREAD_BARRIER_SERIAL_THREAD;
}

/* ---- spin locks ------------------------------------------------------------------------------ */

int __real_pthread_spin_init(pthread_spinlock_t *, int);
int __real_pthread_spin_destroy(pthread_spinlock_t *);
int __real_pthread_spin_lock(pthread_spinlock_t *);
int __real_pthread_spin_trylock(pthread_spinlock_t *);
int __real_pthread_spin_unlock(pthread_spinlock_t *);

int __wrap_pthread_spin_init(pthread_spinlock_t *l, int pshared)
{
    if (!sched_on_goroutine())
        return __real_pthread_spin_init(l, pshared);
    __atomic_store_n(l, 0, __ATOMIC_RELAXED);
    return 0;
}

int __wrap_pthread_spin_destroy(pthread_spinlock_t *l)
{
    if (!sched_on_goroutine())
        return __real_pthread_spin_destroy(l);
    return 0;
}

int __wrap_pthread_spin_trylock(pthread_spinlock_t *l)
{
    if (!sched_on_goroutine())
        return __real_pthread_spin_trylock(l);
    sched_preempt_point();
    if (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE))
        return EBUSY;
    race_acquire((const void *)l);
    return 0;
}

/* A spinning goroutine yields: at procs = 1 the holder could not run otherwise. */
int __wrap_pthread_spin_lock(pthread_spinlock_t *l)
{
    if (!sched_on_goroutine())
        return __real_pthread_spin_lock(l);
    while (__wrap_pthread_spin_trylock(l) == EBUSY)
        go_yield();
    return 0;
}

int __wrap_pthread_spin_unlock(pthread_spinlock_t *l)
{
    if (!sched_on_goroutine())
        return __real_pthread_spin_unlock(l);
    race_release((const void *)l);
    __atomic_store_n(l, 0, __ATOMIC_RELEASE);
    return 0;
}

/* ---- semaphores ------------------------------------------------------------------------------ */

typedef struct pt_sem {
    uint32_t lock, value;
    rt_waitq_t waiters;    /* a post hands its unit to the first waiter directly */
} pt_sem;
_Static_assert(sizeof(pt_sem) <= sizeof(sem_t), "pt_sem fits");

int __real_sem_init(sem_t *, int, unsigned);
int __real_sem_destroy(sem_t *);
int __real_sem_wait(sem_t *);
int __real_sem_trywait(sem_t *);
int __real_sem_timedwait(sem_t *, const struct timespec *);
int __real_sem_post(sem_t *);
int __real_sem_getvalue(sem_t *, int *);

static int pt_errno(int e)
{
    errno = e;
    return -1;
}

int __wrap_sem_init(sem_t *s, int pshared, unsigned value)
{
    if (!sched_on_goroutine())
        return __real_sem_init(s, pshared, value);
    if (value > SEM_VALUE_MAX)
        return pt_errno(EINVAL);
    memset(s, 0, sizeof *s);
    ((pt_sem *)s)->value = value;
    return 0;
}

int __wrap_sem_destroy(sem_t *s)
{
    if (!sched_on_goroutine())
        return __real_sem_destroy(s);
    return 0;
}

static bool pt_sem_take(pt_sem *m)
{
    bool ok = m->value > 0;
    if (ok)
        m->value--;
    return ok;
}

int __wrap_sem_wait(sem_t *s)
{
    if (!sched_on_goroutine())
        return __real_sem_wait(s);
    sched_preempt_point();
    pt_sem *m = (pt_sem *)s;
    rt_lock(&m->lock);
    if (pt_sem_take(m)) {
        rt_unlock(&m->lock);
    } else {
        waitq_push(&m->waiters, sched_self());
        sync_park(&m->lock);
    }
    race_acquire(s);
    return 0;
}

int __wrap_sem_trywait(sem_t *s)
{
    if (!sched_on_goroutine())
        return __real_sem_trywait(s);
    sched_preempt_point();
    pt_sem *m = (pt_sem *)s;
    rt_lock(&m->lock);
    bool ok = pt_sem_take(m);
    rt_unlock(&m->lock);
    if (!ok)
        return pt_errno(EAGAIN);
    race_acquire(s);
    return 0;
}

int __wrap_sem_timedwait(sem_t *s, const struct timespec *abs)
{
    if (!sched_on_goroutine())
        return __real_sem_timedwait(s, abs);
    if (__wrap_sem_trywait(s) == 0)
        return 0;
    if (pt_bad_abstime(abs))
        return pt_errno(EINVAL);
    int64_t deadline = pt_deadline(abs, CLOCK_REALTIME);
    while (__wrap_sem_trywait(s) != 0)
        if (!pt_wait_slice(deadline))
            return pt_errno(ETIMEDOUT);
    return 0;
}

int __wrap_sem_post(sem_t *s)
{
    if (!sched_on_goroutine())
        return __real_sem_post(s);
    sched_preempt_point();
    pt_sem *m = (pt_sem *)s;
    race_release_merge(s);
    rt_lock(&m->lock);
    rt_g *g = waitq_pop(&m->waiters);
    bool over = !g && m->value == SEM_VALUE_MAX;
    if (!g && !over)
        m->value++;
    rt_unlock(&m->lock);
    if (g)
        sched_ready(g);
    return over ? pt_errno(EOVERFLOW) : 0;
}

int __wrap_sem_getvalue(sem_t *s, int *v)
{
    if (!sched_on_goroutine())
        return __real_sem_getvalue(s, v);
    *v = (int)__atomic_load_n(&((pt_sem *)s)->value, __ATOMIC_RELAXED);
    return 0;
}

/* ---- thread-specific data -------------------------------------------------------------------- */

int __wrap_pthread_key_create(pthread_key_t *k, void (*dtor)(void *))
{
    rt_lock(&pt.lock);
    for (unsigned i = 0; i < PT_KEYS; i++) {
        if (pt.keys[i].seq & 1)
            continue;
        pt.keys[i].dtor = dtor;
        __atomic_store_n(&pt.keys[i].seq, pt.keys[i].seq + 1, __ATOMIC_RELEASE);
        rt_unlock(&pt.lock);
        *k = i;
        return 0;
    }
    rt_unlock(&pt.lock);
    return EAGAIN;
}

int __wrap_pthread_key_delete(pthread_key_t k)
{
    int rc = EINVAL;
    rt_lock(&pt.lock);
    if (k < PT_KEYS && (pt.keys[k].seq & 1)) {
        __atomic_store_n(&pt.keys[k].seq, pt.keys[k].seq + 1, __ATOMIC_RELEASE);
        rc = 0;
    }
    rt_unlock(&pt.lock);
    return rc;
}

/* Keys are the runtime's everywhere, even before it starts: a key made by a constructor
 * is used by goroutines later.  Off a goroutine every caller shares main's values. */
static pt_thread *pt_spec_owner(bool create)
{
    return sched_on_goroutine() ? pt_self(create) : &pt.main_rec;
}

void *__wrap_pthread_getspecific(pthread_key_t k)
{
    pt_thread *r = pt_spec_owner(false);
    if (!r || k >= r->nspec || r->spec[k].seq != __atomic_load_n(&pt.keys[k].seq, __ATOMIC_ACQUIRE))
        return NULL;
    return r->spec[k].val;
}

int __wrap_pthread_setspecific(pthread_key_t k, const void *v)
{
    if (k >= PT_KEYS)
        return EINVAL;
    uint64_t seq = __atomic_load_n(&pt.keys[k].seq, __ATOMIC_ACQUIRE);
    if (!(seq & 1))
        return EINVAL;
    pt_thread *r = pt_spec_owner(true);
    if (!r)
        return ENOMEM;
    if (k >= r->nspec) {
        unsigned n = k + 1 > 2 * r->nspec ? k + 1 : 2 * r->nspec;
        pt_spec *s = realloc(r->spec, n * sizeof *s);
        if (!s)
            return ENOMEM;
        memset(s + r->nspec, 0, (n - r->nspec) * sizeof *s);
        r->spec = s;
        r->nspec = n;
    }
    r->spec[k] = (pt_spec){seq, (void *)v};
    return 0;
}
