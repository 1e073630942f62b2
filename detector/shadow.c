/*
 * shadow.c - the shadow memory's mapping and its slow path: race checks and FastTrack
 * updates of one granule under its lock (layout and invariants in shadow.h).
 *
 * The update keeps, per byte, exactly the accesses that a later access could race with
 * and that no kept access stands for: a write drops what happens before it (it conflicts
 * with everything they did), a read drops earlier reads that happen before it, and
 * concurrent reads stay side by side (read-shared).  A granule that needs more than four
 * cells moves its cells to an "overflow" array; it returns to the compact form when it
 * needs four or fewer again.  Nothing is ever evicted, so no race is missed for lack of
 * room (the unit tests compare this against a reference that keeps every access).
 *
 * The common case (every overlapping cell happens before the access) is
 * shadow_update_quick in shadow.h, inlined into the detector's slow path; this file holds
 * the general update, the overflow form and reset.
 *
 * Locks: a granule's cells, stack ids and overflow array change only inside its region
 * (shadow_enter): on the region's owner without a lock, or under the granule lock (bit 0
 * of c[0]) in a shared region (bias.h).  Window creation takes shadow_map_lock.  At
 * procs = 1 neither is taken.
 */
#define _GNU_SOURCE
#include "shadow.h"

#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../runtime/rt.h"
#include "../runtime/os.h"

uintptr_t shadow_win[SHADOW_NWIN];
static uint32_t shadow_map_lock;
static long shadow_novf;

/*
 * Overflow form: all cells of the granule, write cells first (v[0..nw)), then reads.
 * Many goroutines reading one variable (a million workers reading a shared pointer) make
 * FastTrack's read-shared state; to keep such a read O(1) the cells of each slot are
 * chained and found through a small hash (slot -> its latest cell), and a read touches
 * only the write cells and its own slot's cells.  Dead cells (mask 0) are compacted once
 * they are half the array.
 */
typedef struct ovf_ent {
    uint32_t slot, idx1;      /* idx1 = index + 1 of the slot's latest cell, 0 = empty */
} ovf_ent;

typedef struct shadow_ovf {
    uint32_t n, cap, nw, dead;
    uint32_t hmask;           /* hash capacity - 1 (capacity = 2 * cap) */
    uint32_t *prev1;          /* per cell: index + 1 of the same slot's previous cell */
    ovf_ent *hash;
    shadow_hit v[];
} shadow_ovf;

#define WIN_SIZE (1ull << SHADOW_WIN_SHIFT)
#define WIN_SHADOW (SHADOW_META_OFFSET + WIN_SIZE / 8)

shadow_granule *shadow_map_slow(uintptr_t addr)
{
    if (addr >> 47)
        return NULL;
    unsigned w = (unsigned)(addr >> SHADOW_WIN_SHIFT);
    /* runs inside the user's memory accesses: the EEXIST of each refused hint must not
     * reach their errno (`close(-1); errno` read 17) */
    int saved_errno = RT_ERRNO;
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
            rt_throw("race detector: cannot reserve %llu GB of shadow memory", WIN_SHADOW >> 30);
        __atomic_store_n(&shadow_win[w], (uintptr_t)p, __ATOMIC_RELEASE);
    }
    rt_unlock(&shadow_map_lock);
    RT_ERRNO = saved_errno;
    return shadow_of(addr);
}

/* Huge pages for the shadow of a dense block: one fault per 2 MB instead of 512, which
 * on this machine's page tables (10-25 us a fault) was most of a first sweep over a big
 * array (the array loop's first pass: 329 ms, the later ones 18 ms each).  Only for big
 * blocks: a huge page for a sparse range (stack tops, small objects) would cost 2 MB of
 * shadow per touched granule.  And only for SHADOW_ADVISE_MAX of them: each advised
 * range may split the shadow mapping in three, and mappings are a budget
 * (vm.max_map_count, 65530 by default, shared with the goroutine stacks' guard pages). */
#define SHADOW_ADVISE_MAX 2048
static uint32_t shadow_nadvised;

void shadow_advise_dense(uintptr_t lo, uintptr_t hi)
{
    if (hi - lo < SHADOW_DENSE_MIN || (lo >> SHADOW_WIN_SHIFT) != ((hi - 1) >> SHADOW_WIN_SHIFT))
        return;
    if (__atomic_fetch_add(&shadow_nadvised, 1, __ATOMIC_RELAXED) >= SHADOW_ADVISE_MAX)
        return;
    if (!shadow_of(lo) && !shadow_map_slow(lo))
        return;
#ifdef MADV_HUGEPAGE
    /* both halves: a dense block whose granules need a third cell at all tends to need
     * it everywhere (gcc's 4-byte array loop), and a huge far half costs at most what the
     * near one does */
    for (uintptr_t off = 0; off <= SHADOW_FAR; off += SHADOW_FAR) {
        uintptr_t p0 = (uintptr_t)shadow_of(lo) + off;
        uintptr_t p1 = (uintptr_t)shadow_of(hi - 1) + sizeof(shadow_granule) + off;
        uintptr_t s = (p0 + SHADOW_HUGE - 1) & ~(SHADOW_HUGE - 1), e = p1 & ~(SHADOW_HUGE - 1);
        if (e > s) {
            int saved_errno = RT_ERRNO;
            madvise((void *)s, e - s, MADV_HUGEPAGE);
            RT_ERRNO = saved_errno;
        }
    }
#endif
}

void shadow_mark_sync(uintptr_t addr)
{
    if (!shadow_of(addr) && !shadow_map_slow(addr))
        return;
    __atomic_or_fetch(shadow_meta_of(addr), (uint8_t)SHADOW_META_SYNC, __ATOMIC_RELAXED);
}

/* The overflow array of a granule whose c[0] has CELL_OVF. */
static inline shadow_ovf *granule_ovf(uint64_t c0)
{
    return (shadow_ovf *)(uintptr_t)(c0 & ~(CELL_LOCK | CELL_OVF));
}

static inline uint32_t ovf_hash(uint32_t slot) { return slot * 0x9e3779b1u; }

static ovf_ent *ovf_find(shadow_ovf *o, uint32_t slot)
{
    uint32_t h = ovf_hash(slot) & o->hmask;
    while (o->hash[h].idx1 && o->hash[h].slot != slot)
        h = (h + 1) & o->hmask;
    return &o->hash[h];
}

static void ovf_link(shadow_ovf *o, uint32_t i)
{
    ovf_ent *e = ovf_find(o, cell_slot(o->v[i].cell));
    o->prev1[i] = e->idx1;
    e->slot = cell_slot(o->v[i].cell);
    e->idx1 = i + 1;
}

/* Plain loops, not memset/memcpy: the link wraps those for user code, and a call from
 * here would pay the wrapper's is-this-the-runtime lookup on the detector's slow path.
 * (gcc would turn the loops back into library calls without the attribute.) */
#if defined(__GNUC__) && !defined(__clang__)
#define SHADOW_NO_LIBCALLS __attribute__((optimize("no-tree-loop-distribute-patterns")))
#else
#define SHADOW_NO_LIBCALLS
#endif

static SHADOW_NO_LIBCALLS void ovf_clear_hash(shadow_ovf *o)
{
    for (uint32_t i = 0; i <= o->hmask; i++)
        o->hash[i] = (ovf_ent){0};
}

static SHADOW_NO_LIBCALLS void ovf_copy_cells(shadow_hit *dst, const shadow_hit *src, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        dst[i] = src[i];
}

/* Writes first, dead cells dropped, index rebuilt. */
static void ovf_reindex(shadow_ovf *o)
{
    uint32_t k = 0;
    for (int pass = 0; pass < 2; pass++) /* stable: writes, then reads */
        for (uint32_t i = k; i < o->n; i++) {
            shadow_hit x = o->v[i];
            if (cell_mask(x.cell) && (bool)(x.cell & CELL_WRITE) == (pass == 0)) {
                o->v[i] = o->v[k];
                o->v[k++] = x;
            }
            if (pass == 0 && i + 1 == o->n)
                o->nw = k;
        }
    if (o->n == 0)
        o->nw = 0;
    o->n = k;
    o->dead = 0;
    ovf_clear_hash(o);
    for (uint32_t i = 0; i < o->n; i++)
        ovf_link(o, i);
}

/* A new overflow array holding v[0..n) with room for at least `cap` cells. */
static shadow_ovf *ovf_new(const shadow_hit *v, uint32_t n, uint32_t cap)
{
    uint32_t c = 4;
    while (c < cap)
        c *= 2;
    size_t sz = sizeof(shadow_ovf) + c * sizeof(shadow_hit) + c * sizeof(uint32_t) +
                2 * c * sizeof(ovf_ent);
    shadow_ovf *o = race_malloc(sz);
    o->cap = c;
    o->hmask = 2 * c - 1;
    o->prev1 = (uint32_t *)&o->v[c];
    o->hash = (ovf_ent *)(o->prev1 + c);
    ovf_copy_cells(o->v, v, n);
    o->n = n;
    ovf_reindex(o);
    return o;
}

/* granule_store of more than SHADOW_CELLS cells: into the (new or grown) overflow array. */
static __attribute__((noinline, cold)) void granule_store_ovf(shadow_granule *g, uint64_t c0,
                                                              shadow_ovf *o, const shadow_hit *v,
                                                              uint32_t n)
{
    if (o && o->v == v && n <= o->cap) {
        o->n = n;
        ovf_reindex(o);
    } else {
        shadow_ovf *no = ovf_new(v, n, 2 * n);
        if (o)
            race_free(o);
        else
            __atomic_add_fetch(&shadow_novf, 1, __ATOMIC_RELAXED);
        o = no;
    }
    /* c[1..] must not keep stale cells the fast path could match */
    uint64_t old[3];
    uint64_t raw1 = shadow_load_rest(g, c0, old);
    shadow_store_rest(g, old, raw1, (const uint64_t[3]){0, 0, 0});
    granule_unlock(g, (uint64_t)(uintptr_t)o | CELL_OVF);
}

/* g's inline cells (c0 its locked c[0], not in overflow form) into v[0..SHADOW_CELLS). */
static void granule_load(const shadow_granule *g, uint64_t c0, shadow_hit *v)
{
    uint64_t x[3];
    shadow_load_rest(g, c0, x);
    v[0] = (shadow_hit){c0 & ~CELL_LOCK, g->stk[0]};
    for (uint32_t i = 1; i < SHADOW_CELLS; i++) /* a stack id only where a cell is */
        v[i] = (shadow_hit){x[i - 1], x[i - 1] ? SG_STK(g, i) : 0};
}

/* Store cells v[0..n) back into g (formerly c0) and release the lock.  v may point into
 * the granule's own overflow array. */
static void granule_store(shadow_granule *g, uint64_t c0, const shadow_hit *v, uint32_t n)
{
    shadow_ovf *o = c0 & CELL_OVF ? granule_ovf(c0) : NULL;
    if (RT_LIKELY(n <= SHADOW_CELLS)) {
        shadow_hit w[SHADOW_CELLS];
        for (uint32_t i = 0; i < SHADOW_CELLS; i++) /* v may point into o */
            w[i] = i < n ? v[i] : (shadow_hit){0, 0};
        if (RT_UNLIKELY(o != NULL)) {
            race_free(o);
            __atomic_sub_fetch(&shadow_novf, 1, __ATOMIC_RELAXED);
        }
        uint64_t old[3];
        uint64_t raw1 = shadow_load_rest(g, c0, old);
        for (uint32_t i = 0; i < n; i++) /* a stack id only where a cell is */
            *shadow_stk_p(g, i) = w[i].stk;
        shadow_store_rest(g, old, raw1, (const uint64_t[3]){w[1].cell, w[2].cell, w[3].cell});
        granule_unlock(g, w[0].cell);
        return;
    }
    granule_store_ovf(g, c0, o, v, n);
}

/* ---- the FastTrack update --------------------------------------------------------------- */

bool shadow_hb_lookup(uint32_t slot, uint32_t clk, const shadow_actor *who)
{
    uint32_t v = vc_get(who->vc, slot);
    who->hbc->slot = slot;
    who->hbc->clk = v;
    return clk <= v;
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

/* Apply access a to cells v[0..n) in place (v has room for n + 1).  Returns the new
 * count, or UINT32_MAX when a cell already stands for a (nothing to change). */
static inline uint32_t cells_apply(shadow_hit *v, uint32_t n, uint64_t a, uint32_t stk,
                                   const shadow_actor *who, shadow_hit *hits, int max, int *nhits)
{
    unsigned m = cell_mask(a);
    uint32_t k = 0, merge = UINT32_MAX;
    for (uint32_t i = 0; i < n; i++)
        if (cell_subsumes(v[i].cell, a))
            return UINT32_MAX;
    for (uint32_t i = 0; i < n; i++) {
        shadow_hit x = v[i];
        unsigned xm = cell_mask(x.cell);
        if (!xm)
            continue;
        if (xm & m) {
            bool hb = cell_hb(x.cell, who);
            bool racy = !hb && ((x.cell | a) & CELL_WRITE) && !(x.cell & a & CELL_ATOMIC);
            if (RT_UNLIKELY(racy) && (*nhits)++ < max)
                hits[*nhits - 1] = x;
            if (cell_replaces(a, x.cell, hb, racy)) {
                x.cell &= ~((uint64_t)m << CELL_MASK_SHIFT);
                if (!cell_mask(x.cell))
                    continue;
            }
        }
        if (((x.cell ^ a) & ~CELL_MASK) == 0 && x.stk == stk)
            merge = k;
        v[k++] = x;
    }
    if (merge != UINT32_MAX)
        v[merge].cell |= a;
    else
        v[k++] = (shadow_hit){a, stk};
    return k;
}

/* A read of an overflow granule: check the write cells, update only the reader's own
 * cells (FastTrack keeps the other readers' epochs untouched), append.  Returns false
 * when the array is full (the caller grows it). */
static bool ovf_read(shadow_ovf *o, uint64_t a, uint32_t stk, const shadow_actor *who,
                     shadow_hit *hits, int max, int *nhits, bool *changed)
{
    unsigned m = cell_mask(a);
    *changed = false;
    for (uint32_t i = 0; i < o->nw; i++) {
        uint64_t x = o->v[i].cell;
        if (!(cell_mask(x) & m))
            continue;
        if (cell_subsumes(x, a))
            return true;
        if (!cell_hb(x, who) && !(x & a & CELL_ATOMIC) && (*nhits)++ < max)
            hits[*nhits - 1] = o->v[i];
    }
    ovf_ent *e = ovf_find(o, who->slot);
    uint32_t merge = UINT32_MAX;
    for (uint32_t i1 = e->idx1; i1; i1 = o->prev1[i1 - 1]) {
        shadow_hit *x = &o->v[i1 - 1];
        if (cell_subsumes(x->cell, a))
            return true;
    }
    if (o->n == o->cap)
        return false;
    *changed = true;
    for (uint32_t i1 = e->idx1; i1; i1 = o->prev1[i1 - 1]) {
        shadow_hit *x = &o->v[i1 - 1];
        if (!cell_mask(x->cell) || (x->cell & CELL_WRITE))
            continue;
        if (!(a & CELL_ATOMIC) || (x->cell & CELL_ATOMIC)) { /* own earlier read: replaced */
            x->cell &= ~((uint64_t)m << CELL_MASK_SHIFT);
            if (!cell_mask(x->cell)) {
                o->dead++;
                continue;
            }
        }
        if (((x->cell ^ a) & ~CELL_MASK) == 0 && x->stk == stk)
            merge = i1 - 1;
    }
    if (merge != UINT32_MAX) {
        o->v[merge].cell |= a;
        return true;
    }
    o->v[o->n] = (shadow_hit){a, stk};
    o->prev1[o->n] = e->idx1;
    e->slot = who->slot;
    e->idx1 = ++o->n;
    return true;
}

/* shadow_update of a granule in overflow form (lock held, c0 its locked c[0]). */
static __attribute__((noinline)) int ovf_update(shadow_granule *g, uint64_t c0, uint64_t a,
                                                uint32_t stk, const shadow_actor *who,
                                                shadow_hit *hits, int max)
{
    shadow_ovf *o = granule_ovf(c0);
    int nhits = 0;
    if (!(a & CELL_WRITE)) {
        bool changed;
        if (ovf_read(o, a, stk, who, hits, max, &nhits, &changed)) {
            if (changed && o->dead * 2 > o->n)
                ovf_reindex(o);
            granule_unlock(g, c0);
            return nhits;
        }
        nhits = 0; /* full: grow and take the general path */
    }
    if (o->n == o->cap) {
        shadow_ovf *no = ovf_new(o->v, o->n, 2 * o->cap);
        race_free(o);
        o = no;
        c0 = (uint64_t)(uintptr_t)o | CELL_OVF | (c0 & CELL_LOCK);
    }
    uint32_t n = cells_apply(o->v, o->n, a, stk, who, hits, max, &nhits);
    if (n == UINT32_MAX)
        granule_unlock(g, c0);
    else
        granule_store(g, c0, o->v, n);
    return nhits;
}

int shadow_update(shadow_granule *g, uint64_t a, uint32_t stk, const shadow_actor *who,
                  shadow_hit *hits, int max)
{
    if (shadow_update_quick(g, a, stk, who))
        return 0;
    return shadow_update_general(g, a, stk, who, hits, max);
}

static int update_general(shadow_granule *g, uint64_t c0, uint64_t a, uint32_t stk,
                          const shadow_actor *who, shadow_hit *hits, int max)
{
    if (RT_UNLIKELY(c0 & CELL_OVF))
        return ovf_update(g, c0, a, stk, who, hits, max);
    int nhits = 0;
    shadow_hit v[SHADOW_CELLS + 1];
    granule_load(g, c0, v);
    uint32_t n = cells_apply(v, SHADOW_CELLS, a, stk, who, hits, max, &nhits);
    if (n == UINT32_MAX)
        granule_unlock(g, c0);
    else
        granule_store(g, c0, v, n);
    return nhits;
}

int shadow_update_general(shadow_granule *g, uint64_t a, uint32_t stk, const shadow_actor *who,
                          shadow_hit *hits, int max)
{
    bool locked;
    bias_thr *t = shadow_enter(g, &locked);
    int n = update_general(g, granule_lock(g, locked), a, stk, who, hits, max);
    bias_exit(t);
    return n;
}

/* ---- reset -------------------------------------------------------------------------------- */

/* Forget bytes `mask` of one granule. */
static void granule_forget(shadow_granule *g, unsigned mask)
{
    bool locked;
    bias_thr *t = shadow_enter(g, &locked);
    uint64_t c0 = granule_lock(g, locked);
    shadow_hit cells[SHADOW_CELLS];
    shadow_hit *v = cells;
    uint32_t n = SHADOW_CELLS, k = 0;
    if (c0 & CELL_OVF) {
        v = granule_ovf(c0)->v;
        n = granule_ovf(c0)->n;
    } else {
        granule_load(g, c0, cells);
    }
    for (uint32_t i = 0; i < n; i++) {
        uint64_t c = v[i].cell & ~((uint64_t)mask << CELL_MASK_SHIFT);
        if (cell_mask(c))
            v[k++] = (shadow_hit){c, v[i].stk};
    }
    granule_store(g, c0, v, k);
    bias_exit(t);
}

static bool granule_dirty(const shadow_granule *g, const uint8_t *meta)
{
    return g->c[0] || g->c[1] || *meta; /* the far half is empty unless c[1] says so */
}

#define RELEASE_MIN_PAGES 16

/* The whole shadow pages of [s, s+n) that shadow_release gives back, as [*lo, *hi);
 * empty when the range is too small to be worth a system call. */
static void shadow_release_span(uintptr_t s, uintptr_t n, uintptr_t *lo, uintptr_t *hi)
{
    *lo = (s + 4095) & ~4095ull;
    *hi = (s + n) & ~4095ull;
    if (*hi <= *lo || *hi - *lo < RELEASE_MIN_PAGES * 4096)
        *lo = *hi = 0;
}

/* Give the whole pages of shadow range [s, s+n) back to the kernel (they read as zero);
 * if the kernel refuses, zero them by hand (force: they hold cells reset_span left). */
static void shadow_release(uintptr_t s, uintptr_t n, bool force)
{
    uintptr_t lo, hi;
    shadow_release_span(s, n, &lo, &hi);
    if (hi > lo && madvise((void *)lo, hi - lo, MADV_DONTNEED) != 0 && force)
        memset((void *)lo, 0, hi - lo);
}

/*
 * Which parts of a big range may have a history.  This kernel has no shared zero page:
 * reading a never-touched shadow page allocates it, so resetting a big block its program
 * barely used (malloc 100 MB, touch 1 MB, free) would fill in 600 MB of shadow just to
 * find zeros.  /proc/self/pagemap says which pages exist (present or swapped out); only
 * their granules can hold cells, and only meta pages that exist can hold sync marks.
 */
#define DIRTY_MIN_PAGES 64        /* smaller ranges are simply read */
#define DIRTY_CHUNK 4096          /* granules per meta page: 32 KB of application memory */

static int pagemap_fd = -1;
static pid_t pagemap_pid;         /* /proc/self of a forked child is another file */
static uint32_t pagemap_lock;

/* This process's pagemap, -1 if it cannot be read (then every page counts as there). */
static int pagemap(void)
{
    rt_lock(&pagemap_lock);
    if (pagemap_fd < 0 || pagemap_pid != getpid()) {
        if (pagemap_fd >= 0)
            close(pagemap_fd);
        pagemap_fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
        pagemap_pid = getpid();
    }
    int fd = pagemap_fd;
    rt_unlock(&pagemap_lock);
    return fd;
}

/* Does any page of [p, p + n) exist?  True when unsure. */
static bool pages_exist(int fd, uintptr_t p, size_t n)
{
    uint64_t ent[64];
    uintptr_t first = p / 4096, last = (p + n - 1) / 4096;
    for (uintptr_t pg = first; pg <= last;) {
        size_t k = last - pg + 1 < 64 ? last - pg + 1 : 64;
        if (fd < 0 || pread(fd, ent, k * 8, (off_t)(pg * 8)) < (ssize_t)(k * 8))
            return true;
        for (size_t i = 0; i < k; i++)
            if (ent[i] >> 62) /* bit 63 present, bit 62 swapped */
                return true;
        pg += k;
    }
    return false;
}

/* A chunk's span is always passed whole, never split again by a nested shadow_reset. */
_Static_assert(DIRTY_CHUNK * sizeof(shadow_granule) < DIRTY_MIN_PAGES * 4096,
               "shadow_for_dirty's chunks are below its own threshold");

void shadow_for_dirty(uintptr_t lo, uintptr_t hi, void (*fn)(uintptr_t, uintptr_t, void *),
                      void *arg)
{
    if (hi <= lo)
        return;
    if ((hi - lo) / 8 * sizeof(shadow_granule) < DIRTY_MIN_PAGES * 4096 ||
        (lo >> SHADOW_WIN_SHIFT) != ((hi - 1) >> SHADOW_WIN_SHIFT)) {
        fn(lo, hi, arg);
        return;
    }
    if (!shadow_of(lo))
        return; /* its window was never touched */
    int fd = pagemap();
    const uintptr_t span = DIRTY_CHUNK * 8;
    for (uintptr_t c = lo & ~(span - 1); c < hi; c += span) {
        uintptr_t a = c > lo ? c : lo, e = c + span < hi ? c + span : hi;
        uintptr_t g0 = (uintptr_t)shadow_of(a & ~7ull), g1 = (uintptr_t)shadow_of((e - 1) & ~7ull);
        if (pages_exist(fd, (uintptr_t)shadow_meta_of(a), 1) ||
            pages_exist(fd, g0, g1 + sizeof(shadow_granule) - g0))
            fn(a, e, arg);
    }
}

static void reset_span(uintptr_t lo, uintptr_t hi, void *arg);

void shadow_reset(uintptr_t lo, uintptr_t hi) { shadow_for_dirty(lo, hi, reset_span, NULL); }

static void reset_span(uintptr_t lo, uintptr_t hi, void *arg)
{
    (void)arg;
    for (uintptr_t a = lo & ~7ull; a < hi;) {
        shadow_granule *g = shadow_of(a);
        uintptr_t seg = a, win_end = (a | (WIN_SIZE - 1)) + 1;
        if (!g) {
            a = win_end; /* never touched: nothing recorded */
            continue;
        }
        uintptr_t end = hi < win_end ? hi : win_end;
        uint8_t *meta = shadow_meta_of(a);
        /* Granules in the whole pages released below need no forgetting one by one (the
         * far half's pages go too, at the same offsets), unless they own an overflow
         * array or a sync object. */
        uintptr_t first = ((lo > seg ? lo : seg) + 7) & ~7ull, last = end & ~7ull, zlo = 0, zhi = 0;
        size_t len = first < last ? (last - first) / 8 * sizeof(shadow_granule) : 0;
        if (len)
            shadow_release_span((uintptr_t)shadow_of(first), len, &zlo, &zhi);
        for (; a < end; a += 8, g++, meta++) {
            if (!granule_dirty(g, meta))
                continue;
            if ((uintptr_t)g >= zlo && (uintptr_t)g + sizeof *g <= zhi && !(g->c[0] & CELL_OVF) &&
                !*meta)
                continue;
            unsigned mask = 0xff;
            if (a < lo)
                mask &= 0xffu << (lo - a);
            if (a + 8 > hi)
                mask &= 0xffu >> (a + 8 - hi);
            if (*meta & SHADOW_META_SYNC) {
                race_sync_forget_granule(a);
                *meta = 0;
            }
            granule_forget(g, mask);
        }
        /* Every granule outside [zlo, zhi) is clean now; hand the whole shadow pages of
         * big ranges back to the kernel (they read as zero again). */
        if (!len)
            continue;
        shadow_release((uintptr_t)shadow_of(first), len, true);
        shadow_release((uintptr_t)shadow_far(shadow_of(first)), len, true);
        shadow_release((uintptr_t)shadow_meta_of(first), (last - first) / 8, false);
    }
}

long shadow_overflow_count(void) { return __atomic_load_n(&shadow_novf, __ATOMIC_RELAXED); }
