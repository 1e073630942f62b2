/*
 * shadow.h - shadow memory: for every 8-byte granule of application memory, the accesses
 * that a later access may race with, precise to the byte.
 *
 * Layout.  Application memory is cut into 4 TB windows; a window gets a 24.5 TB
 * MAP_NORESERVE shadow mapping the first time it is touched, so only the shadow pages
 * of touched granules cost memory.  A granule's shadow is 48 bytes (6x application
 * memory), its cells first so the hot path reads one 32-byte run:
 *
 *   c[0..3]     four access cells (below); c[0] also carries the granule's lock bit and,
 *               when more than four cells are needed, the "overflow" bit and a pointer
 *   stk[0..3]   stack-depot id of each cell's access (exact stack of the previous access)
 *
 * After the window's granules (24 TB) comes one meta byte per granule (0.5 TB), reached
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
 * mask has one bit per byte of the granule.  A cell with mask 0 is empty.
 *
 * Invariants (per byte b of a granule, cells whose mask covers b):
 *   - every recorded access is one a later access may still race with (FastTrack: an
 *     access that happens before a newer one of at least the same strength is dropped);
 *   - write cells on b come from pairwise ordered or atomic writes; read cells on b from
 *     distinct epochs (concurrent reads: FastTrack's read-shared state, kept lossless).
 *
 * Concurrency (procs = 2): the fast path only reads the four cells (no store, no lock): it
 * returns when a cell of the accessing goroutine's current epoch already covers the
 * access, which no other goroutine can remove without reporting a race (nobody can be
 * ordered after an epoch that has not been released yet).  Every change happens under the
 * granule lock (bit 0 of c[0], taken with one CAS), so two racing accesses on two
 * threads are serialised and the second sees the first.
 */
#ifndef RACEDEMO_SHADOW_H
#define RACEDEMO_SHADOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

#define SHADOW_CELLS 4
typedef struct shadow_granule {
    uint64_t c[SHADOW_CELLS];
    uint32_t stk[SHADOW_CELLS];
} shadow_granule;
_Static_assert(sizeof(shadow_granule) == 48, "shadow is 6x application memory");

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
static inline bool cell_subsumes(uint64_t c, uint64_t a)
{
    uint64_t missing = a & ~c & (CELL_WRITE | CELL_MASK);
    uint64_t weaker = c & ~a & CELL_ATOMIC;
    uint64_t other = (c ^ a) & (CELL_EPOCH | CELL_LOCK | CELL_OVF);
    return (missing | weaker | other) == 0;
}

/* True if one of g's inline cells already stands for a (the hot path's whole test). */
static inline bool shadow_covers(const shadow_granule *g, uint64_t a)
{
    return cell_subsumes(__atomic_load_n(&g->c[0], __ATOMIC_RELAXED), a) ||
           cell_subsumes(__atomic_load_n(&g->c[1], __ATOMIC_RELAXED), a) ||
           cell_subsumes(__atomic_load_n(&g->c[2], __ATOMIC_RELAXED), a) ||
           cell_subsumes(__atomic_load_n(&g->c[3], __ATOMIC_RELAXED), a);
}

/* ---- the address mapping ------------------------------------------------------------- */

#define SHADOW_WIN_SHIFT 42
#define SHADOW_NWIN 32
#define SHADOW_WIN_MASK ((1ull << SHADOW_WIN_SHIFT) - 1)
/* Offset of the meta bytes in a window's shadow: after its granules. */
#define SHADOW_META_OFFSET ((1ull << SHADOW_WIN_SHIFT) / 8 * sizeof(shadow_granule))
extern uintptr_t shadow_win[SHADOW_NWIN];

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
/* Mark addr's granule as holding a sync object (shadow_reset then calls sync_forget). */
void shadow_mark_sync(uintptr_t addr);

/* ---- the slow path ------------------------------------------------------------------- */

/* An earlier access that a new one races with. */
typedef struct shadow_hit {
    uint64_t cell;
    uint32_t stk;
} shadow_hit;

/* What the accessing goroutine brings to a shadow update. */
typedef struct shadow_actor {
    uint32_t slot;
    const vclock *vc;   /* its vector clock (own entry included) */
} shadow_actor;

/* Apply access `a` (cell_make(...) with this goroutine's epoch) with stack id stk to
 * granule g under its lock.  Returns how many earlier cells it races with; the first
 * `max` of them are copied to hits.  Never reports itself. */
int shadow_update(shadow_granule *g, uint64_t a, uint32_t stk, const shadow_actor *who,
                  shadow_hit *hits, int max);

/* Forget every access recorded for [lo, hi) (freed heap, a reused stack).  Whole shadow
 * pages go back to the kernel.  Calls sync_forget for granules marked SHADOW_META_SYNC. */
void shadow_reset(uintptr_t lo, uintptr_t hi);
/* Hook for shadow_reset: a sync object at addr (granule-aligned range [a, a+8)) died. */
void race_sync_forget_granule(uintptr_t granule_addr);

/* Count of granules currently in overflow form (for tests). */
long shadow_overflow_count(void);

#endif
