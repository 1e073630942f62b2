/*
 * shadow.c - the shadow memory's mapping and its slow path: race checks and FastTrack
 * updates of one granule under its lock (layout and invariants in shadow.h).
 *
 * The update keeps, per byte, exactly the accesses that a later access could race with
 * and that no kept access stands for: a write drops what happens before it (it conflicts
 * with everything they did), a read drops earlier reads that happen before it, and
 * concurrent reads stay side by side (read-shared).  A granule that needs more than two
 * cells moves its cells to an "overflow" array; it returns to the compact form when it
 * needs two or fewer again.  Nothing is ever evicted, so no race is missed for lack of
 * room (the unit tests compare this against a reference that keeps every access).
 *
 * Locks: the granule lock (bit 0 of c[0]) guards its cells, stack ids and overflow
 * array; window creation takes shadow_map_lock.  At procs = 1 no lock is taken.
 */
#define _GNU_SOURCE
#include "shadow.h"

#include <string.h>
#include <sys/mman.h>

#include "../runtime/rt.h"

uintptr_t shadow_win[SHADOW_NWIN];
static uint32_t shadow_map_lock;
static long shadow_novf;

typedef struct shadow_ovf {
    uint32_t n, cap;
    shadow_hit v[];   /* cell + stack id, same pairs as the compact form */
} shadow_ovf;

#define WIN_SIZE (1ull << SHADOW_WIN_SHIFT)
#define WIN_SHADOW (WIN_SIZE * 4)

shadow_granule *shadow_map_slow(uintptr_t addr)
{
    if (addr >> 47)
        return NULL;
    unsigned w = (unsigned)(addr >> SHADOW_WIN_SHIFT);
    rt_lock(&shadow_map_lock);
    if (!__atomic_load_n(&shadow_win[w], __ATOMIC_ACQUIRE)) {
        /* Prefer the hole between low binaries and PIE images (16 TB .. 80 TB), so the
         * application's own mmap area stays free; any place will do otherwise. */
        void *p = MAP_FAILED;
        for (uintptr_t hint = 0x100000000000ull; hint + WIN_SHADOW <= 0x500000000000ull && p == MAP_FAILED;
             hint += WIN_SHADOW)
            p = mmap((void *)hint, WIN_SHADOW, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
        if (p == MAP_FAILED)
            p = mmap(NULL, WIN_SHADOW, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED)
            rt_throw("race detector: cannot reserve %llu TB of shadow memory", WIN_SHADOW >> 40);
        __atomic_store_n(&shadow_win[w], (uintptr_t)p, __ATOMIC_RELEASE);
    }
    rt_unlock(&shadow_map_lock);
    return shadow_of(addr);
}

/* ---- the granule lock ----------------------------------------------------------------- */

static inline uint64_t granule_lock(shadow_granule *g)
{
    if (!rt_multi)
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

/* The granule's cells as a list: points into the overflow array or copies the compact
 * pair into buf. */
static shadow_hit *granule_cells(shadow_granule *g, uint64_t c0, shadow_hit buf[2], uint32_t *n)
{
    if (c0 & CELL_OVF) {
        shadow_ovf *o = (shadow_ovf *)(uintptr_t)(c0 & ~(CELL_LOCK | CELL_OVF));
        *n = o->n;
        return o->v;
    }
    buf[0] = (shadow_hit){c0 & ~(CELL_LOCK | CELL_OVF), g->stk[0]};
    buf[1] = (shadow_hit){g->c[1], g->stk[1]};
    *n = 2;
    return buf;
}

/* Store list v[0..n) back into g and release the lock. */
static void granule_store(shadow_granule *g, uint64_t c0, const shadow_hit *v, uint32_t n)
{
    shadow_ovf *o = c0 & CELL_OVF ? (shadow_ovf *)(uintptr_t)(c0 & ~(CELL_LOCK | CELL_OVF)) : NULL;
    if (n <= 2) {
        shadow_hit a = n > 0 ? v[0] : (shadow_hit){0, 0}, b = n > 1 ? v[1] : (shadow_hit){0, 0};
        if (o) { /* v may point into o */
            race_free(o);
            __atomic_sub_fetch(&shadow_novf, 1, __ATOMIC_RELAXED);
        }
        g->stk[0] = a.stk;
        g->stk[1] = b.stk;
        __atomic_store_n(&g->c[1], b.cell, __ATOMIC_RELAXED);
        granule_unlock(g, a.cell);
        return;
    }
    if (!o || o->cap < n) {
        uint32_t cap = o ? o->cap * 2 : 4;
        while (cap < n)
            cap *= 2;
        shadow_ovf *no = race_malloc(sizeof *no + cap * sizeof(shadow_hit));
        no->cap = cap;
        if (o)
            race_free(o);
        else
            __atomic_add_fetch(&shadow_novf, 1, __ATOMIC_RELAXED);
        o = no;
    }
    if (o->v != v)
        memmove(o->v, v, n * sizeof *v);
    o->n = n;
    /* c[1] must not keep a stale cell the fast path could match */
    __atomic_store_n(&g->c[1], 0, __ATOMIC_RELAXED);
    granule_unlock(g, (uint64_t)(uintptr_t)o | CELL_OVF);
}

/* ---- the FastTrack update --------------------------------------------------------------- */

/* Does earlier access x happen before the actor's current point? */
static inline bool cell_hb(uint64_t x, const shadow_actor *who)
{
    uint32_t s = cell_slot(x);
    return s == who->slot || cell_clk(x) <= vc_get(who->vc, s);
}

/* May access a (not racing x, or racing and reported) stand for x on the bytes both
 * touch?  Only if a conflicts with at least what x conflicts with in the future. */
static inline bool cell_replaces(uint64_t a, uint64_t x, bool hb, bool racy)
{
    bool weaker = (a & CELL_ATOMIC) && !(x & CELL_ATOMIC);
    if (a & CELL_WRITE)
        return (hb || racy) && !weaker;
    return !(x & CELL_WRITE) && hb && !weaker;
}

int shadow_update(shadow_granule *g, uint64_t a, uint32_t stk, const shadow_actor *who,
                  shadow_hit *hits, int max)
{
    unsigned m = cell_mask(a);
    uint64_t c0 = granule_lock(g);
    shadow_hit pair[2], small[8];
    uint32_t n;
    shadow_hit *cells = granule_cells(g, c0, pair, &n);
    for (uint32_t i = 0; i < n; i++) {
        if (cell_subsumes(cells[i].cell, a)) {
            granule_unlock(g, c0);
            return 0;
        }
    }
    /* out never grows past n + 1; for overflow granules it is written in place */
    shadow_hit *out = n + 1 <= 8 ? small : race_malloc((n + 1) * sizeof *out);
    uint32_t k = 0;
    int nhits = 0;
    for (uint32_t i = 0; i < n; i++) {
        shadow_hit x = cells[i];
        unsigned xm = cell_mask(x.cell);
        if (!xm)
            continue;
        if (xm & m) {
            bool hb = cell_hb(x.cell, who);
            bool conflict = ((x.cell | a) & CELL_WRITE) && !(x.cell & a & CELL_ATOMIC);
            bool racy = !hb && conflict;
            if (racy && nhits++ < max)
                hits[nhits - 1] = x;
            if (cell_replaces(a, x.cell, hb, racy)) {
                x.cell &= ~((uint64_t)m << CELL_MASK_SHIFT);
                if (!cell_mask(x.cell))
                    continue;
            }
        }
        out[k++] = x;
    }
    uint32_t j;
    for (j = 0; j < k; j++) {
        if (((out[j].cell ^ a) & ~CELL_MASK) == 0 && out[j].stk == stk) {
            out[j].cell |= a;
            break;
        }
    }
    if (j == k)
        out[k++] = (shadow_hit){a, stk};
    granule_store(g, c0, out, k);
    if (out != small)
        race_free(out);
    return nhits;
}

/* ---- reset -------------------------------------------------------------------------------- */

/* Forget bytes `mask` of one granule. */
static void granule_forget(shadow_granule *g, unsigned mask)
{
    uint64_t c0 = granule_lock(g);
    if (mask == 0xff) {
        if (c0 & CELL_OVF) {
            race_free((void *)(uintptr_t)(c0 & ~(CELL_LOCK | CELL_OVF)));
            __atomic_sub_fetch(&shadow_novf, 1, __ATOMIC_RELAXED);
        }
        g->stk[0] = g->stk[1] = 0;
        __atomic_store_n(&g->c[1], 0, __ATOMIC_RELAXED);
        granule_unlock(g, 0);
        return;
    }
    shadow_hit pair[2];
    uint32_t n, k = 0;
    shadow_hit *cells = granule_cells(g, c0, pair, &n);
    for (uint32_t i = 0; i < n; i++) {
        uint64_t c = cells[i].cell & ~((uint64_t)mask << CELL_MASK_SHIFT);
        if (cell_mask(c))
            cells[k++] = (shadow_hit){c, cells[i].stk};
    }
    granule_store(g, c0, cells, k);
}

static bool granule_dirty(const shadow_granule *g)
{
    return g->c[0] || g->c[1] || g->meta;
}

void shadow_reset(uintptr_t lo, uintptr_t hi)
{
    for (uintptr_t a = lo & ~7ull; a < hi;) {
        shadow_granule *g = shadow_of(a);
        uintptr_t seg = a, win_end = (a | (WIN_SIZE - 1)) + 1;
        if (!g) {
            a = win_end; /* never touched: nothing recorded */
            continue;
        }
        uintptr_t end = hi < win_end ? hi : win_end;
        for (; a < end; a += 8, g++) {
            if (!granule_dirty(g))
                continue;
            unsigned mask = 0xff;
            if (a < lo)
                mask &= 0xffu << (lo - a);
            if (a + 8 > hi)
                mask &= 0xffu >> (a + 8 - hi);
            if (g->meta & SHADOW_META_SYNC) {
                race_sync_forget_granule(a);
                g->meta = 0;
            }
            granule_forget(g, mask);
        }
        /* Every granule is clean now; hand whole shadow pages of big ranges back to the
         * kernel (they read as zero again). */
        uintptr_t first = ((lo > seg ? lo : seg) + 7) & ~7ull, last = end & ~7ull;
        if (first >= last)
            continue;
        uintptr_t s_lo = (uintptr_t)shadow_of(first), s_hi = s_lo + (last - first) / 8 * 32;
        s_lo = (s_lo + 4095) & ~4095ull;
        s_hi &= ~4095ull;
        if (s_hi > s_lo && s_hi - s_lo >= 16 * 4096)
            madvise((void *)s_lo, s_hi - s_lo, MADV_DONTNEED);
    }
}

long shadow_overflow_count(void) { return __atomic_load_n(&shadow_novf, __ATOMIC_RELAXED); }
