/*
 * vclock.h - sparse vector clocks over dense goroutine "slots", with a shared base.
 *
 * A clock has a private part and an optional shared base, and reads as their pointwise
 * maximum: v[s] = max(base[s], own[s]).  The private part is a sorted array of (slot,
 * clock) pairs: only the slots a goroutine has heard of are stored, so copying the
 * creator's clock at go() costs what the creator knows, not how many goroutines ever
 * lived.  A missing slot reads as 0.  A big private part that keeps receiving slots out
 * of order (a WaitGroup joined by a million goroutines finishing on two threads)
 * switches to a dense array indexed by slot, once that array is at most 16 times the
 * size of the sparse one.  See vclock.c for the slot reuse invariant that keeps the
 * number of slots bounded by live goroutines.
 *
 * The base is an immutable, reference-counted snapshot (vc_snap).  Copying a clock whose
 * private part is big first turns that part into a snapshot (vc_copy), so a million
 * goroutines that acquire one channel's clock all point at one array instead of joining
 * a million entries each; a goroutine's later ticks go to its private part and never
 * change what the others see (copy-on-write).  A snapshot lists the ids of older
 * snapshots it dominates, so a join adopts the newer of two related bases by reference.
 *
 * Ownership: a goroutine's clock belongs to that goroutine (only its M touches it); a sync
 * object's clock is guarded by the sync table lock (race.c).  A snapshot is immutable
 * while shared; its reference count is atomic because clocks on different threads drop
 * their references.  No function here locks.
 */
#ifndef RACEDEMO_VCLOCK_H
#define RACEDEMO_VCLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct vc_entry {
    uint32_t slot;
    uint32_t clk;
} vc_entry;

typedef struct vc_snap vc_snap;

typedef struct vclock {
    vc_entry *e;      /* sparse form: sorted by slot, no duplicates; NULL when empty */
    uint32_t n, cap;
    uint32_t *d;      /* dense form (when not NULL): d[slot] for slot < dn; e unused */
    uint32_t dn;
    vc_snap *base;    /* shared part (or NULL): the clock reads max(base, this) */
} vclock;

#define VC_ANC 6      /* how many dominated ancestors a snapshot remembers */

struct vc_snap {
    uint32_t refs;    /* atomic */
    uint32_t nanc;
    uint64_t id;      /* unique, never reused (anc compares ids, not pointers) */
    uint64_t anc[VC_ANC]; /* ids of snapshots this one is pointwise >= to, newest first */
    vclock body;      /* body.base == NULL */
};

/* Detector-internal allocation: never the user's (possibly intercepted) malloc. */
void *race_malloc(size_t n);
/* Whole cache lines of their own: per-thread state that another thread's writes next to
 * it must not invalidate (false sharing).  race_free frees it. */
void *race_malloc_lines(size_t n);
void *race_realloc(void *p, size_t n);
void race_free(void *p);

/* The private part's entry (no base). */
static inline uint32_t vc_get_own(const vclock *v, uint32_t slot)
{
    if (__builtin_expect(v->d != NULL, 0))
        return slot < v->dn ? v->d[slot] : 0;
    uint32_t lo = 0, hi = v->n;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (v->e[mid].slot < slot)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < v->n && v->e[lo].slot == slot ? v->e[lo].clk : 0;
}

uint32_t vc_get_based(const vclock *v, uint32_t slot, uint32_t own);

static inline uint32_t vc_get(const vclock *v, uint32_t slot)
{
    uint32_t c = vc_get_own(v, slot);
    if (__builtin_expect(v->base != NULL, 0))
        return vc_get_based(v, slot, c);
    return c;
}

static inline bool vc_empty(const vclock *v) { return !v->n && !v->d && !v->base; }

/* v[slot] = clk (inserting the slot if absent). */
void vc_set(vclock *v, uint32_t slot, uint32_t clk);
/* dst = max(dst, src) pointwise.  Cheap when src is small and dst large (wg_done). */
void vc_join(vclock *dst, const vclock *src);
/* dst = src.  Shares src's base; a big private part of src is first frozen into a new
 * base (same value, new representation), so src is not const. */
void vc_copy(vclock *dst, vclock *src);
/* a <= b pointwise (a happens before or equals b). */
bool vc_leq(const vclock *a, const vclock *b);
void vc_free(vclock *v);

#endif
