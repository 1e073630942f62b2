/*
 * vclock.h - sparse vector clocks over dense goroutine "slots".
 *
 * A clock is a sorted array of (slot, clock) pairs: only the slots a goroutine has heard
 * of are stored, so copying the creator's clock at go() costs what the creator knows, not
 * how many goroutines ever lived.  A missing slot reads as 0.  See vclock.c for the slot
 * reuse invariant that keeps the number of slots bounded by live goroutines.  A big clock
 * that keeps receiving slots out of order (a WaitGroup joined by a million goroutines
 * finishing on two threads) switches to a dense array indexed by slot, once that array
 * is at most 16 times the size of the sparse one.
 *
 * Ownership: a goroutine's clock belongs to that goroutine (only its M touches it); a sync
 * object's clock is guarded by the sync table lock (race.c).  No function here locks.
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

typedef struct vclock {
    vc_entry *e;      /* sparse form: sorted by slot, no duplicates; NULL when empty */
    uint32_t n, cap;
    uint32_t *d;      /* dense form (when not NULL): d[slot] for slot < dn; e unused */
    uint32_t dn;
} vclock;

/* Detector-internal allocation: never the user's (possibly intercepted) malloc. */
void *race_malloc(size_t n);
void *race_realloc(void *p, size_t n);
void race_free(void *p);

static inline uint32_t vc_get(const vclock *v, uint32_t slot)
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

static inline bool vc_empty(const vclock *v) { return !v->n && !v->d; }

/* v[slot] = clk (inserting the slot if absent). */
void vc_set(vclock *v, uint32_t slot, uint32_t clk);
/* dst = max(dst, src) pointwise.  Cheap when src is small and dst large (wg_done). */
void vc_join(vclock *dst, const vclock *src);
/* dst = src. */
void vc_copy(vclock *dst, const vclock *src);
/* a <= b pointwise (a happens before or equals b). */
bool vc_leq(const vclock *a, const vclock *b);
void vc_free(vclock *v);

#endif
