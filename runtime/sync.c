/*
 * sync.c - Go's sync package: WaitGroup, Mutex, RWMutex, Once.  Every zero-initialised
 * object is ready to use.
 *
 * Ownership and locks: each object's `_lock` (an rt_lock, free at procs = 1) guards its
 * wait queue(s) and counters; a goroutine parks with that lock held and sched_park drops
 * it once the goroutine is off its stack.  Wait reason is Go 1.19's "semacquire".
 *
 *   WaitGroup  _count >= 0 always (going negative is a panic); when it reaches 0 every
 *              waiter is woken.
 *   Mutex      _locked is a state word: MU_LOCKED | MU_WAITERS | MU_WOKEN.  MU_WAITERS
 *              is set only under _lock, and only while _waiters may be non-empty, so the
 *              uncontended lock and unlock are one compare-and-swap each.  Unlock wakes
 *              one waiter, which competes again (barging, like Go's normal mode) and
 *              requeues at the front if it loses; one that lost MU_STARVING_AFTER times
 *              is handed the mutex directly instead (Go's starvation mode).  MU_WOKEN
 *              (Go's mutexWoken): a woken waiter has not competed yet, so unlocks leave
 *              the queue alone until it has; without it every unlock woke one more
 *              goroutine that mostly lost and parked again.
 *   RWMutex    all state under _lock.  Writer preference: once a writer waits (_wwait),
 *              new readers queue.  Ownership is handed over, never competed for: the last
 *              reader out admits one writer; a writer's unlock admits every queued reader,
 *              or else the next writer.
 *   Once       _done is set (release) after fn returns; the slow path serialises on _mu.
 *   Cond       _waiters under _lock; a waiter queues before it unlocks the mutex.
 *
 * Race detector edges (race.h): unlock releases / lock acquires the mutex; wg_done
 * merges into the WaitGroup, wg_wait acquires it; RUnlock merges into &_readers, which
 * the next writer acquires along with the RWMutex itself; once's fn completion releases
 * and every once_do acquires.  As in Go's race mode, a WaitGroup's counter leaving zero
 * (wg_add, delta > 0) reads the group and the first wg_wait that blocks writes it, so an
 * Add that nothing orders against a blocking Wait -- wg_add inside the goroutine it
 * counts, or a group reused before its Wait returned -- is reported as a race.
 */
#include "rt.h"
#include "race.h"

/* ---- wait queues ------------------------------------------------------------------------- */

bool waitq_remove(rt_waitq_t *q, rt_g *g)
{
    for (rt_g **p = &q->head, *prev = NULL; *p; prev = *p, p = &(*p)->schedlink) {
        if (*p != g)
            continue;
        *p = g->schedlink;
        if (q->tail == g)
            q->tail = prev;
        g->schedlink = NULL;
        return true;
    }
    return false;
}

/* A waiter that lost the race after being woken keeps its turn. */
static inline void waitq_push_front(rt_waitq_t *q, rt_g *g)
{
    g->schedlink = q->head;
    q->head = g;
    if (!q->tail)
        q->tail = g;
}

void waitq_ready_all(rt_g *list)
{
    while (list) {
        rt_g *next = list->schedlink; /* read first: once ready, g may park elsewhere */
        list->schedlink = NULL;
        sched_ready(list);
        list = next;
    }
}

void sync_park(uint32_t *lock)
{
    sched_park("semacquire", rt_unlock_cb, lock);
}

/* ---- WaitGroup ------------------------------------------------------------------------------ */

/* The address the counter's transitions are checked on (Go's semap): not wg itself,
 * whose sync object carries the Done edges. */
static inline const void *wg_transitions(const waitgroup_t *wg) { return &wg->_pad; }

static void wg_add_at(waitgroup_t *wg, int64_t delta, uintptr_t pc)
{
    if (delta < 0)
        race_release_merge(wg);
    rt_lock(&wg->_lock);
    int64_t n = wg->_count += delta;
    if (RT_UNLIKELY(n < 0)) {
        rt_unlock(&wg->_lock);
        rt_panic("sync: negative WaitGroup counter");
    }
    rt_g *list = n == 0 ? waitq_take_all(&wg->_waiters) : NULL;
    rt_unlock(&wg->_lock);
    if (delta > 0 && n == delta) /* a read: several goroutines may each leave zero */
        race_op_access(wg_transitions(wg), false, pc, (const void *)wg_add);
    waitq_ready_all(list);
}

void wg_add(waitgroup_t *wg, int64_t delta)
{
    sched_preempt_point();
    wg_add_at(wg, delta, (uintptr_t)__builtin_return_address(0));
}

void wg_done(waitgroup_t *wg)
{
    wg_add(wg, -1);
}

void sync_wg_done_last(waitgroup_t *wg)
{
    wg_add_at(wg, -1, (uintptr_t)__builtin_return_address(0));
}

void wg_wait(waitgroup_t *wg)
{
    uintptr_t pc = (uintptr_t)__builtin_return_address(0);
    sched_preempt_point();
    rt_lock(&wg->_lock);
    if (wg->_count == 0) {
        rt_unlock(&wg->_lock);
    } else {
        /* only the first waiter writes: concurrent Waits are fine (Go's rule) */
        if (!wg->_waiters.head)
            race_op_access(wg_transitions(wg), true, pc, (const void *)wg_wait);
        waitq_push(&wg->_waiters, sched_self());
        sync_park(&wg->_lock);
    }
    race_acquire(wg);
}

/* ---- Mutex ------------------------------------------------------------------------------------- */

enum { MU_LOCKED = 1, MU_WAITERS = 2, MU_WOKEN = 4 };

/* A waiter that has lost the mutex to newcomers this many times is handed it directly by
 * the next unlock (Go's starvation mode, counted in lost races instead of Go's 1 ms so
 * that it also works on the virtual clock, where a livelock would never end). */
#define MU_STARVING_AFTER 3

static inline bool mu_cas(mutex_t *mu, int32_t *old, int32_t new_)
{
    return __atomic_compare_exchange_n(&mu->_locked, old, new_, false, __ATOMIC_ACQ_REL,
                                       __ATOMIC_RELAXED);
}

/* Before parking, a contender spins a little, as Go's sync.Mutex does (4 rounds of 30
 * pauses), while sched_can_spin() says it is worth it (Go's canSpin: other Ms are
 * running, so the holder probably is and will unlock soon, and nothing waits in this
 * M's run queue).  A park + wake costs two switches and maybe a futex.  At procs = 1 the
 * holder cannot run meanwhile, so there is no spinning (and no change to deterministic
 * schedules). */
#define MU_SPIN_ROUNDS 4
#define MU_SPIN_PAUSES 30

static bool mutex_spin(mutex_t *mu)
{
    for (int r = 0; r < MU_SPIN_ROUNDS && sched_can_spin(); r++) {
        for (int k = 0; k < MU_SPIN_PAUSES; k++)
            __builtin_ia32_pause();
        int32_t s = __atomic_load_n(&mu->_locked, __ATOMIC_RELAXED);
        if (!(s & MU_LOCKED) && mu_cas(mu, &s, s | MU_LOCKED))
            return true;
    }
    return false;
}

/* While parked here, g->wait_data counts the races g lost and g->wait_ok says the
 * unlocker handed the mutex over (both written under _lock). */
static void mutex_lock_slow(mutex_t *mu)
{
    if (RT_UNLIKELY(rt_multi) && mutex_spin(mu))
        return;
    rt_g *g = sched_self();
    for (intptr_t lost = 0;; lost++) {
        rt_lock(&mu->_lock);
        int32_t s = __atomic_load_n(&mu->_locked, __ATOMIC_RELAXED);
        for (;;) {
            /* free: take it; held: make sure the holder's unlock comes to the queue.
             * Either way a woken waiter has now competed. */
            int32_t want = ((s & MU_LOCKED) ? s | MU_WAITERS : s | MU_LOCKED) & ~(lost ? MU_WOKEN : 0);
            if (want == s || mu_cas(mu, &s, want))
                break;
        }
        if (!(s & MU_LOCKED)) {
            rt_unlock(&mu->_lock);
            return;
        }
        g->wait_data = lost;
        g->wait_ok = false;
        if (lost) /* a waiter that lost the race keeps its turn */
            waitq_push_front(&mu->_waiters, g);
        else
            waitq_push(&mu->_waiters, g);
        sync_park(&mu->_lock);
        if (g->wait_ok)
            return;
    }
}

/* The lock itself; mutex_lock adds the lock-order bookkeeping (cond_wait's unlock and
 * relock do not: the mutex stays held as far as lock order goes). */
static inline void mu_lock_raw(mutex_t *mu)
{
    sched_preempt_point();
    int32_t s = 0;
    if (RT_UNLIKELY(!mu_cas(mu, &s, MU_LOCKED)))
        mutex_lock_slow(mu);
    race_acquire(mu);
}

void sync_mutex_lock_at(mutex_t *mu, uintptr_t callpc, const void *op)
{
    mu_lock_raw(mu);
    race_lock(mu, callpc, op, false);
}

void mutex_lock(mutex_t *mu)
{
    sync_mutex_lock_at(mu, (uintptr_t)__builtin_return_address(0), (const void *)mutex_lock);
}

bool sync_mutex_trylock_at(mutex_t *mu, uintptr_t callpc, const void *op)
{
    sched_preempt_point();
    int32_t s = __atomic_load_n(&mu->_locked, __ATOMIC_RELAXED);
    while (!(s & MU_LOCKED)) {
        if (mu_cas(mu, &s, s | MU_LOCKED)) {
            race_acquire(mu);
            race_lock(mu, callpc, op, true);
            return true;
        }
    }
    return false;
}

bool mutex_trylock(mutex_t *mu)
{
    return sync_mutex_trylock_at(mu, (uintptr_t)__builtin_return_address(0), (const void *)mutex_trylock);
}

static RT_COLD void mutex_unlock_slow(mutex_t *mu, int32_t s)
{
    if (!(s & MU_LOCKED))
        rt_throw("sync: unlock of unlocked mutex");
    /* nobody to wake, or a woken waiter still to compete: just release (a locker may
     * set MU_WAITERS or clear MU_WOKEN meanwhile, hence the loop) */
    while (!(s & MU_WAITERS) || (s & MU_WOKEN))
        if (mu_cas(mu, &s, s & ~MU_LOCKED))
            return;
    /* s == LOCKED|WAITERS, and only we (the holder) may change it now */
    rt_lock(&mu->_lock);
    rt_g *g = waitq_pop(&mu->_waiters);
    int32_t next = mu->_waiters.head ? MU_WAITERS : 0;
    if (g && g->wait_data >= MU_STARVING_AFTER) {
        g->wait_ok = true; /* hand it over: it stays locked, newcomers cannot barge */
        next |= MU_LOCKED;
    } else if (g) {
        next |= MU_WOKEN;
    }
    __atomic_store_n(&mu->_locked, next, __ATOMIC_RELEASE);
    rt_unlock(&mu->_lock);
    if (g)
        sched_ready(g);
}

static inline void mu_unlock_raw(mutex_t *mu)
{
    sched_preempt_point();
    race_release(mu);
    int32_t s = MU_LOCKED;
    if (RT_UNLIKELY(!mu_cas(mu, &s, 0)))
        mutex_unlock_slow(mu, s);
}

void mutex_unlock(mutex_t *mu)
{
    race_unlock(mu);
    mu_unlock_raw(mu);
}

/* ---- RWMutex ---------------------------------------------------------------------------------------- */

void rwmutex_rlock(rwmutex_t *rw)
{
    sched_preempt_point();
    rt_lock(&rw->_lock);
    if (!rw->_writer && !rw->_wwait) {
        rw->_readers++;
        rt_unlock(&rw->_lock);
    } else {
        waitq_push(&rw->_rwaiters, sched_self());
        sync_park(&rw->_lock); /* the writer's unlock counted us in */
    }
    race_acquire(rw);
}

void rwmutex_runlock(rwmutex_t *rw)
{
    sched_preempt_point();
    race_release_merge(&rw->_readers);
    rt_lock(&rw->_lock);
    if (RT_UNLIKELY(rw->_readers <= 0)) {
        rt_unlock(&rw->_lock);
        rt_throw("sync: RUnlock of unlocked RWMutex");
    }
    rt_g *g = NULL;
    if (--rw->_readers == 0 && rw->_wwait) {
        rw->_wwait--;
        rw->_writer = 1;
        g = waitq_pop(&rw->_wwaiters);
    }
    rt_unlock(&rw->_lock);
    if (g)
        sched_ready(g);
}

void rwmutex_lock(rwmutex_t *rw)
{
    sync_rwmutex_lock_at(rw, (uintptr_t)__builtin_return_address(0), (const void *)rwmutex_lock);
}

void sync_rwmutex_lock_at(rwmutex_t *rw, uintptr_t callpc, const void *op)
{
    sched_preempt_point();
    rt_lock(&rw->_lock);
    if (!rw->_writer && !rw->_readers) {
        rw->_writer = 1;
        rt_unlock(&rw->_lock);
    } else {
        rw->_wwait++;
        waitq_push(&rw->_wwaiters, sched_self());
        sync_park(&rw->_lock); /* handed over by the last reader or the previous writer */
    }
    race_acquire(rw);
    race_acquire(&rw->_readers);
    race_lock(rw, callpc, op, false);
}

void rwmutex_unlock(rwmutex_t *rw)
{
    race_unlock(rw);
    sched_preempt_point();
    race_release(rw);
    rt_lock(&rw->_lock);
    if (RT_UNLIKELY(!rw->_writer)) {
        rt_unlock(&rw->_lock);
        rt_throw("sync: Unlock of unlocked RWMutex");
    }
    rw->_writer = 0;
    rt_g *list = NULL;
    if (rw->_rwaiters.head) {
        /* readers that queued behind this writer go first, so writers cannot starve them */
        for (rt_g *g = rw->_rwaiters.head; g; g = g->schedlink)
            rw->_readers++;
        list = waitq_take_all(&rw->_rwaiters);
    } else if (rw->_wwait) {
        rw->_wwait--;
        rw->_writer = 1;
        list = waitq_pop(&rw->_wwaiters);
    }
    rt_unlock(&rw->_lock);
    waitq_ready_all(list);
}

/* Go 1.18's TryLock / TryRLock: take the lock only if that needs no wait (a reader also
 * stays out while a writer waits, as rwmutex_rlock would queue). */
bool rwmutex_trylock(rwmutex_t *rw)
{
    sched_preempt_point();
    rt_lock(&rw->_lock);
    bool ok = !rw->_writer && !rw->_readers;
    if (ok)
        rw->_writer = 1;
    rt_unlock(&rw->_lock);
    if (ok) {
        race_acquire(rw);
        race_acquire(&rw->_readers);
        race_lock(rw, (uintptr_t)__builtin_return_address(0), (const void *)rwmutex_trylock, true);
    }
    return ok;
}

bool rwmutex_tryrlock(rwmutex_t *rw)
{
    sched_preempt_point();
    rt_lock(&rw->_lock);
    bool ok = !rw->_writer && !rw->_wwait;
    if (ok)
        rw->_readers++;
    rt_unlock(&rw->_lock);
    if (ok)
        race_acquire(rw);
    return ok;
}

/* ---- Cond ------------------------------------------------------------------------------------------------ */

/* The waiter queues under _lock before it unlocks mu, and _lock is dropped only once it
 * is off its stack: a signal after mu's unlock finds it queued, none is lost.  Edges are
 * the mutex's (Go's race mode adds none for Cond either). */
void cond_wait(cond_t *c, mutex_t *mu)
{
    sched_preempt_point();
    rt_lock(&c->_lock);
    waitq_push(&c->_waiters, sched_self());
    mu_unlock_raw(mu);
    sched_park("sync.Cond.Wait", rt_unlock_cb, &c->_lock);
    mu_lock_raw(mu);
}

void cond_signal(cond_t *c)
{
    sched_preempt_point();
    rt_lock(&c->_lock);
    rt_g *g = waitq_pop(&c->_waiters);
    rt_unlock(&c->_lock);
    if (g)
        sched_ready(g);
}

void cond_broadcast(cond_t *c)
{
    sched_preempt_point();
    rt_lock(&c->_lock);
    rt_g *list = waitq_take_all(&c->_waiters);
    rt_unlock(&c->_lock);
    waitq_ready_all(list);
}

/* ---- Once ---------------------------------------------------------------------------------------------- */

void once_do(once_t *once, void (*fn)(void *), void *arg)
{
    sched_preempt_point();
    if (!__atomic_load_n(&once->_done, __ATOMIC_ACQUIRE)) {
        mutex_lock(&once->_mu);
        if (!__atomic_load_n(&once->_done, __ATOMIC_RELAXED)) {
            fn(arg);
            race_release(once);
            __atomic_store_n(&once->_done, 1, __ATOMIC_RELEASE);
        }
        mutex_unlock(&once->_mu);
    }
    race_acquire(once);
}
