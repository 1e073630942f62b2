/*
 * shadow.h - shadow memory: for every 8-byte granule of application memory, the accesses
 * that a later access may race with, precise to the byte.
 *
 * Layout.  Application memory is cut into 4 TB windows; a window gets a 24.5 TB
 * MAP_NORESERVE shadow mapping the first time it is touched, so only the shadow pages
 * of touched granules cost memory.  A granule's shadow is 48 bytes in two 24-byte halves
 * that lie 12 TB apart, each in an array of its own:
 *
 *   near half   c[0], c[1] and their stack-depot ids stk[0], stk[1] (the exact stack of
 *               each cell's access); c[0] also carries the granule's lock bit and, when
 *               more than four cells are needed, the "overflow" bit and a pointer
 *   far half    c[2], c[3], stk[2], stk[3], at a fixed offset from the near one
 *
 * CELL_MORE in c[1] says the far half may hold cells; without it the far half is empty
 * and nobody reads it (on this kernel reading a never-touched page allocates it).  So the
 * granules that FastTrack keeps at one or two cells -- a write, and another goroutine's
 * read after it: nearly all memory -- cost 3x application memory in shadow, not 6x;
 * only granules that need a third cell touch the far half.
 *
 * After the window's halves (24 TB) comes one meta byte per granule (0.5 TB), reached
 * from the address (shadow_meta_of): bit 0 = a sync object (mutex, atomic...) lives in
 * this granule.  Four cells, not two, because ordinary code passes through three-cell
 * states all the time: two 4-byte variables in one granule, last written by goroutine
 * A, then read and written by B (B's write of bytes 0-3, A's write of 4-7, B's read of
 * 4-7 until B writes them too) -- with two cells every such granule went to a malloc'd
 * overflow array and back.  The fourth cell covers a concurrent reader on top.
 *
 * Cell (64 bits), an access epoch plus what was accessed:
 *
 *   63            34 33          12 11   4   3     2      1     0
 *   +---------------+--------------+------+-----+------+-----+------+
 *   | clock (30)    | slot (22)    | mask | wr  | atom | ovf | lock |
 *   +---------------+--------------+------+-----+------+-----+------+
 *
 * mask has one bit per byte of the granule.  A cell with mask 0 is empty.  Bit 1 of
 * c[1] (the overflow bit's place, unused there) is CELL_MORE; c[1] may be CELL_MORE
 * alone, an empty cell with cells after it.
 *
 * Invariants (per byte b of a granule, cells whose mask covers b):
 *   - every recorded access is one a later access may still race with (FastTrack: an
 *     access that happens before a newer one of at least the same strength is dropped);
 *   - write cells on b come from pairwise ordered or atomic writes; read cells on b from
 *     distinct epochs (concurrent reads: FastTrack's read-shared state, kept lossless).
 *
 * Concurrency (procs = 2): the fast path only reads the cells (no store, no lock): it
 * returns when a cell of the accessing goroutine's current epoch already covers the
 * access, which no other goroutine can remove without reporting a race (nobody can be
 * ordered after an epoch that has not been released yet).  Every change is serialised,
 * so two racing accesses on two threads never miss each other: the thread owning the
 * granule's region changes it without a lock, anyone else first takes the region away
 * (bias.h); in a region several threads share, the granule lock (bit 0 of c[0], one CAS)
 * serialises the changes.
 */
#ifndef RACEDEMO_SHADOW_H
#define RACEDEMO_SHADOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bias.h"
#include "vclock.h"

#define CELL_LOCK 0x1ull
#define CELL_OVF 0x2ull
#define CELL_ATOMIC 0x4ull
#define CELL_WRITE 0x8ull
#define CELL_MASK_SHIFT 4
#define CELL_MASK (0xffull << CELL_MASK_SHIFT)
#define CELL_SLOT_SHIFT 12
#define CELL_SLOT_BITS 22
#define CELL_CLK_SHIFT 34
#define CELL_CLK_BITS 30
#define CELL_EPOCH (~0ull << CELL_SLOT_SHIFT)
#define RACE_MAX_SLOTS (1u << CELL_SLOT_BITS)
#define RACE_MAX_CLOCK ((1u << CELL_CLK_BITS) - 1)

_Static_assert(CELL_SLOT_SHIFT + CELL_SLOT_BITS == CELL_CLK_SHIFT, "cell layout");
_Static_assert(CELL_CLK_SHIFT + CELL_CLK_BITS == 64, "cell layout");
_Static_assert((CELL_MASK >> CELL_MASK_SHIFT) == 0xff, "one mask bit per granule byte");

#define CELL_MORE CELL_OVF  /* in c[1]: c[2..3] may hold cells */
#define SHADOW_CELLS 4
/* The near half of a granule's shadow; the far half is a shadow_granule too, at
 * SHADOW_FAR bytes from it (cells 2 and 3 in its c[0..1], stk[0..1]). */
typedef struct shadow_granule {
    uint64_t c[2];
    uint32_t stk[2];
} shadow_granule;
_Static_assert(sizeof(shadow_granule) == 24, "each half is 3x application memory");

#define SHADOW_META_SYNC 0x1ull

static inline uint64_t cell_make(uint32_t slot, uint32_t clk, unsigned mask, uint64_t kind)
{
    return (uint64_t)clk << CELL_CLK_SHIFT | (uint64_t)slot << CELL_SLOT_SHIFT |
           (uint64_t)mask << CELL_MASK_SHIFT | kind;
}
static inline uint32_t cell_slot(uint64_t c) { return (uint32_t)(c >> CELL_SLOT_SHIFT) & (RACE_MAX_SLOTS - 1); }
static inline uint32_t cell_clk(uint64_t c) { return (uint32_t)(c >> CELL_CLK_SHIFT); }
static inline unsigned cell_mask(uint64_t c) { return (unsigned)(c >> CELL_MASK_SHIFT) & 0xff; }

/* True if cell c (possibly c[0] with lock/overflow bits) already stands for access a:
 * same epoch, covers a's bytes, and conflicts with at least everything a conflicts with
 * (a write stands for a read; a plain access stands for an atomic one). */
/* The bits of c ^ a that must be clear for c to subsume a: epoch, lock and overflow bits
 * equal; a's mask and write bits also set in c; the atomic bit set in c only if in a. */
static inline uint64_t cell_cover_key(uint64_t a)
{
    return CELL_EPOCH | CELL_LOCK | CELL_OVF | (a & (CELL_WRITE | CELL_MASK)) | (~a & CELL_ATOMIC);
}
static inline bool cell_subsumes(uint64_t c, uint64_t a)
{
    return ((c ^ a) & cell_cover_key(a)) == 0;
}

/* ---- the address mapping ------------------------------------------------------------- */

#define SHADOW_WIN_SHIFT 42
#define SHADOW_NWIN 32
#define SHADOW_WIN_MASK ((1ull << SHADOW_WIN_SHIFT) - 1)
/* Bytes of one half of a window's shadow. */
#define SHADOW_HALF ((1ull << SHADOW_WIN_SHIFT) / 8 * sizeof(shadow_granule))
/* From a near half to its far half.  The skew keeps a granule's two halves off the same
 * offset of their pages, where the CPU would take a load from one for a reload of a
 * store to the other (4K aliasing). */
#define SHADOW_FAR (SHADOW_HALF + 0x440ull)
/* Offset of the meta bytes in a window's shadow: after both halves, page-aligned so that
 * one meta page covers exactly 32 KB of application memory (shadow_for_dirty). */
#define SHADOW_META_OFFSET (2 * SHADOW_HALF + 0x1000)
_Static_assert(SHADOW_FAR + SHADOW_HALF <= SHADOW_META_OFFSET, "the far half ends before the meta bytes");
extern uintptr_t shadow_win[SHADOW_NWIN];

static inline shadow_granule *shadow_far(const shadow_granule *g)
{
    return (shadow_granule *)((uintptr_t)g + SHADOW_FAR);
}
/* Cell i (0..3) of g and its stack id. */
static inline uint64_t *shadow_cell_p(const shadow_granule *g, unsigned i)
{
    return i < 2 ? (uint64_t *)&g->c[i] : &shadow_far(g)->c[i - 2];
}
static inline uint32_t *shadow_stk_p(const shadow_granule *g, unsigned i)
{
    return i < 2 ? (uint32_t *)&g->stk[i] : &shadow_far(g)->stk[i - 2];
}
#define SG_STK(g, i) (*shadow_stk_p(g, i))

/* May the far half of g (c1: its c[1] as read) hold cells?  Not in overflow form. */
static inline bool shadow_more(uint64_t c0, uint64_t c1)
{
    return (c1 & CELL_MORE) && !(c0 & CELL_OVF);
}

/* Cells 1..3 of g (c0: its c[0] as read) into x[0..2], flag stripped; returns c[1] as
 * stored, for shadow_store_rest.  Reads the far half only if c[1] says so. */
static inline uint64_t shadow_load_rest(const shadow_granule *g, uint64_t c0, uint64_t x[3])
{
    uint64_t raw1 = __atomic_load_n(&g->c[1], __ATOMIC_RELAXED);
    x[0] = raw1 & ~CELL_MORE;
    x[1] = x[2] = 0;
    if (shadow_more(c0, raw1)) {
        x[1] = __atomic_load_n(&shadow_far(g)->c[0], __ATOMIC_RELAXED);
        x[2] = __atomic_load_n(&shadow_far(g)->c[1], __ATOMIC_RELAXED);
    }
    return raw1;
}

/* Store cells 1..3 = n[0..2] over old[0..2] (as shadow_load_rest gave them, raw1 its
 * result), writing only the words that change: the far half is not touched for
 * granules that never needed it. */
static inline void shadow_store_rest(shadow_granule *g, const uint64_t old[3], uint64_t raw1,
                                     const uint64_t n[3])
{
    if (n[1] != old[1])
        __atomic_store_n(&shadow_far(g)->c[0], n[1], __ATOMIC_RELAXED);
    if (n[2] != old[2])
        __atomic_store_n(&shadow_far(g)->c[1], n[2], __ATOMIC_RELAXED);
    uint64_t w1 = n[0] | (((n[1] | n[2]) & CELL_MASK) ? CELL_MORE : 0);
    if (w1 != raw1)
        __atomic_store_n(&g->c[1], w1, __ATOMIC_RELAXED);
}

/* Inline cell i of g as a plain cell (0 if empty; tests). */
static inline uint64_t shadow_cell(const shadow_granule *g, unsigned i)
{
    uint64_t c0 = __atomic_load_n(&g->c[0], __ATOMIC_RELAXED), x[3];
    if (i == 0)
        return c0 & ~CELL_LOCK;
    shadow_load_rest(g, c0, x);
    return x[i - 1];
}

/* True if one of g's inline cells already stands for a (the hot path's whole test). */
static inline bool shadow_covers(const shadow_granule *g, uint64_t a)
{
    uint64_t k = cell_cover_key(a);
    uint64_t c0 = __atomic_load_n(&g->c[0], __ATOMIC_RELAXED);
    uint64_t c1 = __atomic_load_n(&g->c[1], __ATOMIC_RELAXED);
    if (!((c0 ^ a) & k) || !(((c1 & ~CELL_MORE) ^ a) & k))
        return true;
    if (__builtin_expect(!shadow_more(c0, c1), 1))
        return false;
    const shadow_granule *f = shadow_far(g);
    return !((__atomic_load_n(&f->c[0], __ATOMIC_RELAXED) ^ a) & k) ||
           !((__atomic_load_n(&f->c[1], __ATOMIC_RELAXED) ^ a) & k);
}

/* Shadow of the granule holding addr in a mapped window (base = shadow_win[window]). */
static inline shadow_granule *shadow_at(uintptr_t base, uintptr_t addr)
{
    return (shadow_granule *)(base + ((addr & SHADOW_WIN_MASK) >> 3) * sizeof(shadow_granule));
}

/* Shadow of the granule holding addr, or NULL if addr lies outside user space or its
 * window has no shadow yet (shadow_map_slow then creates it). */
static inline shadow_granule *shadow_of(uintptr_t addr)
{
    if (addr >> 47)
        return NULL;
    uintptr_t base = shadow_win[addr >> SHADOW_WIN_SHIFT];
    return base ? shadow_at(base, addr) : NULL;
}
/* The meta byte of addr's granule, NULL if its window is not mapped. */
static inline uint8_t *shadow_meta_of(uintptr_t addr)
{
    if (addr >> 47)
        return NULL;
    uintptr_t base = shadow_win[addr >> SHADOW_WIN_SHIFT];
    return base ? (uint8_t *)(base + SHADOW_META_OFFSET + ((addr & SHADOW_WIN_MASK) >> 3)) : NULL;
}
/* Shadow for addr, mapping its window if needed (NULL only outside user space). */
shadow_granule *shadow_map_slow(uintptr_t addr);
/* [lo, hi) is one dense block (a big heap block): back its shadow with huge pages.
 * Blocks under SHADOW_DENSE_MIN are left alone. */
#define SHADOW_DENSE_MIN (1ul << 20)
#define SHADOW_HUGE (2ul << 20)
void shadow_advise_dense(uintptr_t lo, uintptr_t hi);
/* Mark addr's granule as holding a sync object (shadow_reset then calls sync_forget). */
void shadow_mark_sync(uintptr_t addr);

/* ---- the slow path ------------------------------------------------------------------- */

/* An earlier access that a new one races with. */
typedef struct shadow_hit {
    uint64_t cell;
    uint32_t stk;
} shadow_hit;

/* A lower bound of one entry of the actor's clock (valid because a goroutine's clock
 * only grows): most hb checks ask about the same other goroutine again. */
typedef struct shadow_hbc {
    uint32_t slot, clk;
} shadow_hbc;

/* What the accessing goroutine brings to a shadow update. */
typedef struct shadow_actor {
    uint32_t slot;
    const vclock *vc;   /* its vector clock (own entry included) */
    shadow_hbc *hbc;    /* its lower-bound cache (never NULL) */
} shadow_actor;

/* cell_hb's clock lookup (out of line: it keeps the quick update's registers free). */
bool shadow_hb_lookup(uint32_t slot, uint32_t clk, const shadow_actor *who);

/* Does earlier access x happen before the actor's current point? */
static inline __attribute__((always_inline)) bool cell_hb(uint64_t x, const shadow_actor *who)
{
    uint32_t s = cell_slot(x), clk = cell_clk(x);
    if (s == who->slot)
        return true;
    const shadow_hbc *c = who->hbc;
    if (c->slot == s && clk <= c->clk)
        return true;
    return shadow_hb_lookup(s, clk, who);
}

/* ---- the granule lock ---------------------------------------------------------------- */

extern bool rt_multi;

/* c[0] of g, locked if `locked` (a shared region at procs > 1; bias.h). */
static inline uint64_t granule_lock(shadow_granule *g, bool locked)
{
    if (__builtin_expect(!locked, 1))
        return g->c[0];
    for (;;) {
        uint64_t c0 = __atomic_load_n(&g->c[0], __ATOMIC_RELAXED);
        if (!(c0 & CELL_LOCK) &&
            __atomic_compare_exchange_n(&g->c[0], &c0, c0 | CELL_LOCK, false, __ATOMIC_ACQUIRE,
                                        __ATOMIC_RELAXED))
            return c0;
        __builtin_ia32_pause();
    }
}

static inline void granule_unlock(shadow_granule *g, uint64_t c0)
{
    __atomic_store_n(&g->c[0], c0 & ~CELL_LOCK, __ATOMIC_RELEASE);
}

/* Enter g's region to change its cells: *locked says whether to take the granule lock
 * (procs > 1 and the region is shared).  Pair with bias_exit on the result. */
static inline __attribute__((always_inline)) bias_thr *shadow_enter(const shadow_granule *g,
                                                                    bool *locked)
{
    bias_thr *t = NULL;
    if (__builtin_expect(rt_multi, 0))
        t = bias_enter(g);
    *locked = rt_multi && !t;
    return t;
}

/* ---- the quick update ---------------------------------------------------------------- */

/*
 * The common case of the slow path, without loops or calls: an access to a granule in
 * inline form that races with none of its cells.  It does what the general update does
 * then: a cell that happens before a gives a the overlapped bytes if a stands for it
 * (a write for anything, a read for reads; an atomic access never for a plain one);
 * a concurrent cell that does not conflict (read and read, atomic and atomic) stays.
 * Then a joins its own matching cell or goes after the last cell left (cells stay in
 * age order, so reports name the same earlier access as the general path would).
 * Returns false, having changed nothing, when the general path (shadow_update) is
 * needed: a race, the overflow form, or a fifth cell.  The cells are scalars and the
 * final placement is branch-free selects so they stay in registers.  shadow_quick_cells
 * is the update inside the region (locked: take the granule lock); shadow_update_quick
 * enters and leaves the region around it.
 */
static inline __attribute__((always_inline)) bool
shadow_quick_cells(shadow_granule *g, uint64_t a, uint32_t stk, const shadow_actor *who,
                   bool locked)
{
    _Static_assert(SHADOW_CELLS == 4, "the quick update handles four cells");
    uint64_t c0 = granule_lock(g, locked);
    if (__builtin_expect((c0 & CELL_OVF) != 0, 0))
        goto general;
    const uint64_t m = a & CELL_MASK, key = cell_cover_key(a);
    const bool rd = !(a & CELL_WRITE), at = (a & CELL_ATOMIC) != 0;
    uint64_t old[3];
    const uint64_t raw1 = shadow_load_rest(g, c0, old);
    uint64_t x0 = c0 & ~CELL_LOCK, x1 = old[0], x2 = old[1], x3 = old[2];
    /* Two transitions that array loops make for nearly every granule, decided first with
     * fewer tests; each yields exactly the cells the code below would, compacted.
     * (1) A plain write where every cell either happens before it and lies within its
     *     bytes (dropped: a stands for it; only a itself could subsume a among those), or
     *     is the single one a merges with (this epoch, same kind and stack, not already
     *     covering a): the granule becomes [a], or [that cell | a].  A 4-byte loop
     *     (gcc's) writes the second half of a granule over its own first half this way.
     * (2) A plain read after a single write cell that happens before it and does not
     *     subsume it: the write stays (a read does not stand for it), a cannot merge with
     *     it (kinds differ) and goes second. */
    if (!at) {
#define QUICK_DROPS(x) (!((x) & CELL_MASK) || (!((x) & CELL_MASK & ~m) && (x) != a && cell_hb(x, who)))
/* x and a differ at most in their bytes and were made at one stack: a may join x */
#define QUICK_JOINS(x, i) (!(((x) ^ a) & ~CELL_MASK) && SG_STK(g, i) == stk)
#define QUICK_MERGES(x, i) (QUICK_JOINS(x, i) && (((x) ^ a) & key))
#define QUICK_TAKE(x, i)                                                                    \
    (QUICK_DROPS(x) || (keep == 0 && QUICK_MERGES(x, i) && (keep = (x) | a)))
        if (!rd) {
            uint64_t keep = 0; /* the merged cell; never 0 once set (it has a's mask) */
            if (QUICK_TAKE(x0, 0) && QUICK_TAKE(x1, 1) && QUICK_TAKE(x2, 2) && QUICK_TAKE(x3, 3)) {
                g->stk[0] = stk;
                shadow_store_rest(g, old, raw1, (const uint64_t[3]){0, 0, 0});
                granule_unlock(g, keep ? keep : a);
                return true;
            }
        } else if (!((x1 | x2 | x3) & CELL_MASK) && (x0 & CELL_WRITE) && (x0 & CELL_MASK) &&
                   ((x0 ^ a) & key) && cell_hb(x0, who)) {
            g->stk[1] = stk;
            shadow_store_rest(g, old, raw1, (const uint64_t[3]){a, 0, 0});
            granule_unlock(g, c0);
            return true;
        }
#undef QUICK_TAKE
#undef QUICK_MERGES
#undef QUICK_DROPS
    }
    int last = -1, merge = -1;
    /* For an overlapping cell x: subsumed, done; concurrent and conflicting (a write
     * on either side, not both atomic), a race for the general path; concurrent and
     * not, kept; ordered, loses a's bytes unless a is a read and x a write, or a is
     * atomic and x plain. */
#define QUICK_CELL(x, i)                                                                    \
    do {                                                                                    \
        if (x & m) {                                                                        \
            if (!((x ^ a) & key)) {                                                         \
                granule_unlock(g, c0);                                                      \
                return true;                                                                \
            }                                                                               \
            if (!cell_hb(x, who)) {                                                         \
                if (((x | a) & CELL_WRITE) && !(x & a & CELL_ATOMIC))                       \
                    goto general;                                                           \
            } else if (!((rd && (x & CELL_WRITE)) || (at && !(x & CELL_ATOMIC)))) {         \
                x &= ~m;                                                                    \
                if (!(x & CELL_MASK))                                                       \
                    x = 0;                                                                  \
            }                                                                               \
        }                                                                                   \
        if (x & CELL_MASK) {                                                                \
            last = i;                                                                       \
            if (QUICK_JOINS(x, i))                                                          \
                merge = i;                                                                  \
        }                                                                                   \
    } while (0)
    QUICK_CELL(x0, 0);
    QUICK_CELL(x1, 1);
    QUICK_CELL(x2, 2);
    QUICK_CELL(x3, 3);
#undef QUICK_CELL
#undef QUICK_JOINS
    int put;
    if (merge >= 0) {
        put = merge;
        a = m; /* or the bytes into the matching cell */
    } else {
        if (__builtin_expect(last == SHADOW_CELLS - 1, 0)) {
            /* no room after the last cell: close leading holes (cells emptied by this
             * or earlier accesses); holes in the middle are left to the general path */
            if (x0 | x1 | x2 | x3) /* not all empty (then last would be -1) */
                while (!x0) {
                    x0 = x1, x1 = x2, x2 = x3, x3 = 0;
                    g->stk[0] = g->stk[1], g->stk[1] = SG_STK(g, 2);
                    SG_STK(g, 2) = SG_STK(g, 3);
                    last--;
                }
            if (last == SHADOW_CELLS - 1)
                goto general;
        }
        put = last + 1;
        *shadow_stk_p(g, (unsigned)put) = stk;
        x0 = put == 0 ? 0 : x0; /* a free cell: zero, so or-ing a puts a there */
        x1 = put == 1 ? 0 : x1;
        x2 = put == 2 ? 0 : x2;
        x3 = put == 3 ? 0 : x3;
    }
    x0 |= put == 0 ? a : 0;
    x1 |= put == 1 ? a : 0;
    x2 |= put == 2 ? a : 0;
    x3 |= put == 3 ? a : 0;
    shadow_store_rest(g, old, raw1, (const uint64_t[3]){x1, x2, x3});
    granule_unlock(g, x0);
    return true;
general:
    if (__builtin_expect(locked, 0))
        granule_unlock(g, c0);
    return false;
}

static inline __attribute__((always_inline)) bool
shadow_update_quick(shadow_granule *g, uint64_t a, uint32_t stk, const shadow_actor *who)
{
    bool locked;
    bias_thr *t = shadow_enter(g, &locked);
    bool done = shadow_quick_cells(g, a, stk, who, locked);
    bias_exit(t);
    return done;
}

/* Apply access `a` (cell_make(...) with this goroutine's epoch) with stack id stk to
 * granule g under its lock.  Returns how many earlier cells it races with; the first
 * `max` of them are copied to hits.  Never reports itself. */
int shadow_update(shadow_granule *g, uint64_t a, uint32_t stk, const shadow_actor *who,
                  shadow_hit *hits, int max);
/* shadow_update for callers that tried shadow_update_quick first. */
int shadow_update_general(shadow_granule *g, uint64_t a, uint32_t stk, const shadow_actor *who,
                          shadow_hit *hits, int max);

/* Forget every access recorded for [lo, hi) (freed heap, a reused stack).  Whole shadow
 * pages go back to the kernel.  Calls sync_forget for granules marked SHADOW_META_SYNC. */
void shadow_reset(uintptr_t lo, uintptr_t hi);
/* fn(a, b, arg) for the parts of [lo, hi) whose shadow may record something, in order,
 * never reading shadow pages that do not exist yet (reading one would allocate it); a
 * small range is passed whole. */
void shadow_for_dirty(uintptr_t lo, uintptr_t hi, void (*fn)(uintptr_t, uintptr_t, void *),
                      void *arg);
/* Hook for shadow_reset: a sync object at addr (granule-aligned range [a, a+8)) died. */
void race_sync_forget_granule(uintptr_t granule_addr);

/* Count of granules currently in overflow form (for tests). */
long shadow_overflow_count(void);

#endif
