/*
 * bias.h - biased ownership of shadow regions: at procs > 1 the thread that owns a region
 * updates its granules without the granule lock (no atomic read-modify-write on the hot
 * path).  Any other thread takes the region away first (revocation).  A region that
 * several threads keep touching falls back to the granule locks for good.
 *
 * Why: almost every granule is updated by one thread at a time, yet the granule lock's CAS
 * was a third of the detector's cost on two cores (array loop, clang build: 14.6 -> 9.9 ns
 * per element without it).
 *
 * A region is 2 MB of (near-half) shadow, about 680 KB of application memory: the
 * region where two workers splitting an array meet is shared for good, so regions stay
 * small.  Its word `own`:
 *   0                free: not updated at procs > 1 yet (the first updater takes it)
 *   tag              owned by the thread with that tag (bias_thr.tag, from 1)
 *   BIAS_REVOKING|t  being taken from its owner by thread t (t = 0: no tag)
 *   BIAS_SHARED      every modifier takes the granule lock (terminal)
 *
 * Protocol (an asymmetric Dekker, as in biased locking):
 *   - The owner stores the region's index + 1 in its own `busy` word (a plain store),
 *     then reads `own`.  If it still holds the region, it updates the cells with plain
 *     stores, then clears busy with a release store.
 *   - A revoker CASes `own` to REVOKING, then calls membarrier(PRIVATE_EXPEDITED), which
 *     runs a full barrier on every CPU running this process.  After it, either the owner's
 *     busy store is visible (the revoker waits for it to clear, and then sees the owner's
 *     cell stores), or the owner's load of `own` sees REVOKING (it backs off).
 *   - The revoker publishes the next state with a release store.
 *
 * Invariants:
 *   - The cells of a region in state tag change only on thread tag, and only while its
 *     busy names the region.  In BIAS_SHARED they change only under the granule lock.  In
 *     0 or REVOKING nobody changes them.  So no granule of an owned region is ever locked.
 *   - busy covers a short, non-blocking sequence: one granule's update, which may malloc.
 *   - Regions are never entered nested.  A thread therefore revokes only while its own
 *     busy is 0, and two revokers never wait for each other.
 *   - The lock-free fast path (shadow_covers) ignores ownership.  It only reads cells.
 *
 * Policy: a revocation costs a membarrier (about 35 us on this VM with a running peer).
 * The new owner therefore keeps the region only if the old owner made at least BIAS_MIN
 * updates there since it took it; otherwise the region becomes BIAS_SHARED.
 *   - Two Ms sweeping halves of an array in turn keep their bias.
 *   - Two Ms sharing a counter pay one membarrier, then use locks.
 *   - Without membarrier (an old kernel, seccomp), every region is BIAS_SHARED: locks.
 *   - A sweep (the revoker owns the region below) takes up to BIAS_BATCH - 1 regions
 *     above along, if the same owner used each heavily, in the same membarrier; never
 *     the region the owner is in at that moment, nor any above it (bias.c, bias_batch).
 *     The array loop at procs = 2: 132-155 -> 38-50 membarriers per run.
 */
#ifndef RACEDEMO_BIAS_H
#define RACEDEMO_BIAS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BIAS_SHIFT 21
#define BIAS_SHARED 0xffffffffu
#define BIAS_REVOKING 0x80000000u
#define BIAS_MIN 8192
#define BIAS_MAX_THREADS 1024

typedef struct bias_region {
    uint32_t own;
    uint64_t nupd;            /* updates by the owner since it took the region */
} __attribute__((aligned(64))) bias_region; /* one line: owners do not share lines */

typedef struct bias_thr {
    uintptr_t busy;           /* index + 1 of the region being updated, 0: none */
    uint32_t tag;
} __attribute__((aligned(64))) bias_thr;

extern bias_region *bias_tab;
extern __thread bias_thr *bias_self __attribute__((tls_model("initial-exec")));

/* The owner's side of the protocol: announce region idx in busy, then read its state
 * into *own; true (busy kept, until bias_exit) if t holds it. */
static inline __attribute__((always_inline)) bool bias_hold(bias_thr *t, bias_region *r,
                                                            uintptr_t idx, uint32_t *own)
{
    __atomic_store_n(&t->busy, idx + 1, __ATOMIC_RELAXED);
    __atomic_signal_fence(__ATOMIC_SEQ_CST); /* the CPU's reordering: membarrier's */
    *own = __atomic_load_n(&r->own, __ATOMIC_RELAXED);
    if (__builtin_expect(*own == t->tag, 1)) {
        __atomic_store_n(&r->nupd, r->nupd + 1, __ATOMIC_RELAXED);
        return true;
    }
    __atomic_store_n(&t->busy, 0, __ATOMIC_RELAXED);
    return false;
}

/* Enter the region of shadow address g to change its cells; returns this thread's record
 * when it owns the region (change the cells without the granule lock, then bias_exit), or
 * NULL when the region is shared (take the granule lock).  Only at procs > 1. */
bias_thr *bias_enter_slow(uintptr_t idx);
static inline __attribute__((always_inline)) bias_thr *bias_enter(const void *g)
{
    uintptr_t idx = (uintptr_t)g >> BIAS_SHIFT;
    bias_thr *t = bias_self;
    if (__builtin_expect(t != NULL, 1)) {
        uint32_t own;
        if (bias_hold(t, &bias_tab[idx], idx, &own))
            return t;
        if (own == BIAS_SHARED) /* terminal: no call for the contended granules' locks */
            return NULL;
    }
    return bias_enter_slow(idx);
}

/* bias_enter's owned case alone: this thread's record, busy until bias_exit, if it owns
 * the region of shadow address g; NULL otherwise (shared, another owner's, or not taken
 * yet), for callers that leave every other case to a path that calls bias_enter. */
static inline __attribute__((always_inline)) bias_thr *bias_enter_owned(const void *g)
{
    uintptr_t idx = (uintptr_t)g >> BIAS_SHIFT;
    bias_thr *t = bias_self;
    uint32_t own;
    return t && bias_hold(t, &bias_tab[idx], idx, &own) ? t : NULL;
}

/* Do shadow addresses a and b lie in one region (one bias_enter covers both)? */
static inline bool bias_same_region(const void *a, const void *b)
{
    return ((uintptr_t)a >> BIAS_SHIFT) == ((uintptr_t)b >> BIAS_SHIFT);
}

static inline __attribute__((always_inline)) void bias_exit(bias_thr *t)
{
    if (t)
        __atomic_store_n(&t->busy, 0, __ATOMIC_RELEASE);
}

/* The state word of the region holding shadow address g (tests), 0 before any use. */
uint32_t bias_state(const void *g);
/* Revocations (membarriers) so far, and regions taken along with another's revocation
 * by a sweep (bias.c, bias_batch): tests, statistics. */
long bias_revocations(void);
long bias_batched(void);
/* False when membarrier is unavailable (every region then behaves as BIAS_SHARED). */
bool bias_available(void);

#endif
