/*
 * race.h - what the runtime tells the race detector, in Go memory-model terms.
 *
 * The runtime calls these at the exact synchronising step (Go's race.go does the same):
 *   race_go_start      the go statement happens before the new goroutine starts
 *   race_release(a)    this goroutine's history so far is published on sync object a
 *   race_acquire(a)    everything published on a happens before what this goroutine does next
 *   race_release_merge merge into a instead of overwriting (rwmutex runlock, wg_done)
 * Channels: an unbuffered send/recv pair releases and acquires on the channel both ways;
 * a buffered send releases on its slot and the matching receive acquires it (so the k-th
 * receive happens before the (k+C)-th send completes: the sender acquires the slot too);
 * close releases on the channel and a receive that sees it closed acquires.  Sleep creates
 * no edge.  Sync objects are identified by address only; their clocks live in the
 * detector.
 *
 * All hooks are no-ops until the program was compiled with -fsanitize=thread (which calls
 * __tsan_init and sets race_enabled), so uninstrumented programs pay one branch.
 */
#ifndef RACEDEMO_RACE_H
#define RACEDEMO_RACE_H

#include "rt.h"

extern bool race_enabled;

void race_go_start_slow(rt_g *parent, rt_g *child);
/* g exits: returns the lowest address of its stack whose shadow it may have written (0:
 * none), which travels with the stack (stack_free, stack_pass) to its next user. */
uintptr_t race_go_end_slow(rt_g *g);
void race_acquire_slow(const void *addr);
void race_release_slow(const void *addr);
void race_release_merge_slow(const void *addr);
/* The running goroutine completes an unbuffered transfer with `parked`, which sits in a
 * channel's wait queue (so nothing runs it, and its clock is frozen): each side's past
 * happens before the other's future. */
void race_handoff_slow(rt_g *parked);
/* The running goroutine completes an operation of `parked` (queued, clock frozen) on its
 * behalf, as close does for its waiters: its past happens before parked's future, one
 * way only. */
void race_release_to_slow(rt_g *parked);
/* A new goroutine will run on [lo, hi), whose shadow is written from `dirty` (what
 * race_go_end returned for its last user) up: forget what older goroutines did there. */
void race_stack_reuse_slow(const void *lo, const void *hi, uintptr_t dirty);
/* g switches away (it parks, yields, is preempted): the detector first applies what it
 * held back for g (detector.h, race_pend), so nothing of g's waits while others run. */
void race_switch_out_slow(rt_g *g);
/* A new M's thread starts, before it runs any goroutine: it registers where it publishes
 * the read it holds back (detector.h, race_pub).  Whether or not race_enabled is set yet:
 * RACEDEMO_PROCS starts Ms from rt_init, before race_init enables the detector. */
void race_m_start_slow(void);
/* Runtime-performed accesses to user memory (channel element copies). */
void race_read_range_slow(const void *addr, size_t n, uintptr_t pc);
void race_write_range_slow(const void *addr, size_t n, uintptr_t pc);
/* An operation that is itself an access to the object at addr, as in Go: a send reads
 * its channel, a close (and chan_free) writes it, so a close that no edge orders against
 * a send is reported (the send might have come after it and panicked).  op is the
 * operation's entry point, shown as the top frame of its stack in a report; callpc is the
 * user's call site. */
void race_op_access_slow(const void *addr, bool write, uintptr_t callpc, const void *op);

/* goroutine.h's sync/atomic on behalf of the user code at pc: an atomic access (it races
 * with plain accesses, never with other atomics) and its edges.  The operation itself
 * runs between enter and leave, so the value and the clock published with it are seen
 * together.  leave takes what enter returned. */
void *race_atomic_enter_slow(const void *addr, size_t size, bool write, bool acquire,
                             uintptr_t pc);
void race_atomic_leave_slow(void *cookie, bool release, bool merge);

/* Mutex mu (mutex_t, an rwmutex_t write lock) taken by the user's call at callpc into op
 * (try_: by a trylock, which cannot wait), and released: the lock-order graph. */
void race_lock_slow(const void *mu, uintptr_t callpc, const void *op, bool try_);
void race_unlock_slow(const void *mu);

static inline void race_m_start(void) { race_m_start_slow(); }
static inline void race_lock(const void *mu, uintptr_t callpc, const void *op, bool try_)
{
    if (RT_UNLIKELY(race_enabled))
        race_lock_slow(mu, callpc, op, try_);
}
static inline void race_unlock(const void *mu)
{
    if (RT_UNLIKELY(race_enabled))
        race_unlock_slow(mu);
}
static inline void race_go_start(rt_g *parent, rt_g *child)
{
    if (RT_UNLIKELY(race_enabled))
        race_go_start_slow(parent, child);
}
static inline uintptr_t race_go_end(rt_g *g)
{
    return RT_UNLIKELY(race_enabled) ? race_go_end_slow(g) : 0;
}
static inline void race_acquire(const void *addr)
{
    if (RT_UNLIKELY(race_enabled))
        race_acquire_slow(addr);
}
static inline void race_release(const void *addr)
{
    if (RT_UNLIKELY(race_enabled))
        race_release_slow(addr);
}
static inline void race_release_merge(const void *addr)
{
    if (RT_UNLIKELY(race_enabled))
        race_release_merge_slow(addr);
}
static inline void race_handoff(rt_g *parked)
{
    if (RT_UNLIKELY(race_enabled))
        race_handoff_slow(parked);
}
static inline void race_release_to(rt_g *parked)
{
    if (RT_UNLIKELY(race_enabled))
        race_release_to_slow(parked);
}
static inline void race_stack_reuse(const void *lo, const void *hi, uintptr_t dirty)
{
    if (RT_UNLIKELY(dirty))
        race_stack_reuse_slow(lo, hi, dirty);
}
/* [lo, hi) now holds another owner's data at the same addresses (a goroutine's
 * thread-local variables, tls.c): forget what was done there. */
static inline void race_mem_reuse(const void *lo, const void *hi)
{
    if (RT_UNLIKELY(race_enabled) && lo < hi)
        race_stack_reuse_slow(lo, hi, (uintptr_t)lo);
}
static inline void race_switch_out(rt_g *g)
{
    if (RT_UNLIKELY(race_enabled))
        race_switch_out_slow(g);
}
static inline void race_read_range(const void *addr, size_t n, uintptr_t pc)
{
    if (RT_UNLIKELY(race_enabled))
        race_read_range_slow(addr, n, pc);
}
static inline void race_write_range(const void *addr, size_t n, uintptr_t pc)
{
    if (RT_UNLIKELY(race_enabled))
        race_write_range_slow(addr, n, pc);
}
static inline void race_op_access(const void *addr, bool write, uintptr_t callpc, const void *op)
{
    if (RT_UNLIKELY(race_enabled))
        race_op_access_slow(addr, write, callpc, op);
}

#endif
