/*
 * race.c - the detector's core: goroutine clocks and slots, the runtime's hooks
 * (runtime/race.h), the per-access slow path and shadow call stacks.  Sync objects and
 * atomics: sync.c.
 *
 * Happens-before is tracked with vector clocks over slots (vclock.c explains slot reuse).
 * A goroutine's epoch advances only when it releases (go, unlock, send, atomic store...),
 * so every access between two releases shares one epoch and the hot path can skip an
 * access already recorded at this epoch.
 *
 * Locks (spin locks, never held across a park, innermost last):
 *   rs.lock      slot table, free-slot list, goroutine records (race_ginfo)
 * A goroutine's own race_gs needs no lock (only its M touches it).
 */
#define _GNU_SOURCE
#include "detector.h"
#include "../runtime/os.h"

#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <sys/personality.h>
#include <unistd.h>

bool race_enabled;

/* ---- slots and goroutine records ------------------------------------------------------- */

typedef struct race_inc {
    uint32_t start;           /* first clock of this owner */
    race_ginfo *gi;
} race_inc;

typedef struct race_slot {
    uint32_t final;           /* last clock of the last owner, once it finished */
    bool live;
    uint32_t ninc, capinc;    /* owners in order, each starting above the previous */
    race_inc *inc;
} race_slot;

static struct {
    uint32_t lock;
    race_slot *slots;
    uint32_t nslots, cap;
    uint32_t *free;           /* finished slots, most recent last */
    uint32_t nfree, capfree;
} rs;

/* How many recently freed slots go() inspects for one its creator has joined. */
#define SLOT_REUSE_SCAN 8

static void slot_push_owner(uint32_t s, uint32_t start, race_ginfo *gi)
{
    race_slot *sl = &rs.slots[s];
    if (sl->ninc == sl->capinc) {
        sl->capinc = sl->capinc ? sl->capinc * 2 : 1;
        sl->inc = race_realloc(sl->inc, sl->capinc * sizeof *sl->inc);
    }
    sl->inc[sl->ninc++] = (race_inc){start, gi};
    sl->live = true;
}

/* A slot for a child of `parent` (rs.lock held); *start = the child's first clock. */
static uint32_t slot_alloc(const vclock *parent, uint32_t *start)
{
    uint32_t lim = rs.nfree < SLOT_REUSE_SCAN ? rs.nfree : SLOT_REUSE_SCAN;
    for (uint32_t i = 0; i < lim; i++) {
        uint32_t idx = rs.nfree - 1 - i, s = rs.free[idx];
        uint32_t known = parent ? vc_get(parent, s) : 0;
        if (known >= rs.slots[s].final) {
            rs.free[idx] = rs.free[--rs.nfree];
            *start = known + 1;
            return s;
        }
    }
    if (rs.nslots == RACE_MAX_SLOTS)
        rt_throw("race detector: more than %u goroutines alive or never joined", RACE_MAX_SLOTS);
    if (rs.nslots == rs.cap) {
        rs.cap = rs.cap ? rs.cap * 2 : 1024;
        rs.slots = race_realloc(rs.slots, rs.cap * sizeof *rs.slots);
    }
    memset(&rs.slots[rs.nslots], 0, sizeof *rs.slots);
    *start = 1;
    return rs.nslots++;
}

race_ginfo *race_ginfo_of(uint32_t slot, uint32_t clk)
{
    race_ginfo *gi = NULL;
    rt_lock(&rs.lock);
    if (slot < rs.nslots) {
        race_slot *sl = &rs.slots[slot];
        for (uint32_t i = sl->ninc; i-- > 0;) {
            if (sl->inc[i].start <= clk) {
                gi = sl->inc[i].gi;
                break;
            }
        }
    }
    rt_unlock(&rs.lock);
    return gi;
}

/* Live goroutine whose stack holds addr (reports only). */
race_ginfo *race_stack_owner(uintptr_t addr);
race_ginfo *race_stack_owner(uintptr_t addr)
{
    race_ginfo *found = NULL;
    rt_lock(&rs.lock);
    for (uint32_t s = 0; s < rs.nslots && !found; s++) {
        race_slot *sl = &rs.slots[s];
        if (!sl->live || !sl->ninc)
            continue;
        race_ginfo *gi = sl->inc[sl->ninc - 1].gi;
        rt_g *g = gi->g;
        if (g && g->stack_lo && addr >= (uintptr_t)g->stack_lo && addr < (uintptr_t)g->stack_hi)
            found = gi;
    }
    rt_unlock(&rs.lock);
    return found;
}

/* ---- goroutine state ------------------------------------------------------------------- */

static race_gs *gs_new(rt_g *g, uint32_t slot, uint32_t clk, vclock *inherit, uint32_t create_stk)
{
    /* lines of its own: its hot field pend is written on every read miss, and two
     * workers' states must not share a line that both Ms keep invalidating */
    race_gs *gs = race_malloc_lines(sizeof *gs);
    memset(gs, 0, sizeof *gs);
    if (inherit)
        vc_copy(&gs->vc, inherit);
    gs->slot = slot;
    gs->who = (shadow_actor){slot, &gs->vc, &gs->hbc}; /* gs never moves, slot never changes */
    gs->clk = clk;
    vc_set(&gs->vc, slot, clk);
    gs->epoch = cell_make(slot, clk, 0, 0);
    race_restamp(gs);
    gs->min_sp = UINTPTR_MAX;
    race_ginfo *gi = race_malloc(sizeof *gi);
    *gi = (race_ginfo){.goid = g->id, .create_stk = create_stk, .g = g};
    gs->info = gi;
    return gs;
}

void race_tick(race_gs *gs)
{
    if (RT_UNLIKELY(gs->clk >= RACE_MAX_CLOCK))
        rt_throw("race detector: goroutine %lld synchronised more than %u times",
                 (long long)gs->info->goid, RACE_MAX_CLOCK);
    gs->clk++;
    vc_set(&gs->vc, gs->slot, gs->clk);
    gs->epoch = cell_make(gs->slot, gs->clk, 0, 0);
}

/* Starts small: a million parked goroutines are mostly one or two frames deep. */
void race_frames_grow(race_gs *gs)
{
    gs->cap = gs->cap ? gs->cap * 2 : 4;
    gs->frame_pc = race_realloc(gs->frame_pc, gs->cap * sizeof *gs->frame_pc);
    gs->frame_node = race_realloc(gs->frame_node, gs->cap * sizeof *gs->frame_node);
}

__thread race_sc_ent race_sc[RACE_STACK_CACHE] __attribute__((tls_model("initial-exec")));
__thread race_memo race_memo_tab[2] __attribute__((tls_model("initial-exec")));

/* Per-thread cache of depot lookups: most intern calls hit it and take no lock. */
#define DEPOT_CACHE 256
typedef struct depot_cache_ent {
    uintptr_t pc;
    uint32_t parent, id;
} depot_cache_ent;
static __thread depot_cache_ent depot_cache[DEPOT_CACHE] __attribute__((tls_model("initial-exec")));

static uint32_t depot_cached(uint32_t parent, uintptr_t pc)
{
    depot_cache_ent *e = &depot_cache[(pc ^ (pc >> 9) ^ parent * 31u) & (DEPOT_CACHE - 1)];
    if (e->pc == pc && e->parent == parent && e->id)
        return e->id;
    uint32_t id = depot_intern(parent, pc);
    *e = (depot_cache_ent){pc, parent, id};
    return id;
}

uint32_t race_stack_id(race_gs *gs, uintptr_t pc)
{
    int i = (int)gs->depth - 1;
    while (i >= 0 && gs->frame_node[i] == DEPOT_UNKNOWN)
        i--;
    uint32_t node = i >= 0 ? gs->frame_node[i] : 0;
    for (i++; i < (int)gs->depth; i++)
        node = gs->frame_node[i] = depot_cached(node, gs->frame_pc[i]);
    uint32_t id = race_sc_lookup(node, pc);
    if (id)
        return id;
    id = depot_cached(node, pc);
    race_sc_ent *e = &race_sc[race_sc_index(pc)];
    e[1] = e[0]; /* the older entry moves to the second way */
    e[0] = (race_sc_ent){pc, node, id};
    return id;
}

/* ---- accesses ----------------------------------------------------------------------------- */

void race_access_general(race_gs *gs, shadow_granule *sh, uintptr_t addr, uint64_t a,
                         uint32_t stk)
{
    shadow_hit hits[4];
    int n = shadow_update_general(sh, a, stk, &gs->who, hits, 4);
    if (RT_UNLIKELY(n))
        race_report(gs, addr, a, stk, hits, n < 4 ? n : 4);
}

void race_note_stack(race_gs *gs, uintptr_t addr)
{
    rt_g *g = rt_curg;
    if (!g)
        return;
    gs->note_lo = (uintptr_t)g->stack_lo; /* never changes once set */
    if (addr >= (uintptr_t)g->stack_lo && addr < (uintptr_t)g->stack_hi)
        gs->min_sp = addr;
}

/* One granule's slow path in a range: *stk is the access's stack id once known. */
static inline void race_granule(race_gs *gs, shadow_granule *sh, uintptr_t addr, uint64_t a,
                                uintptr_t pc, uint32_t *stk)
{
    if (*stk == DEPOT_UNKNOWN)
        *stk = race_stack_id_fast(gs, pc);
    race_access_stk(gs, sh, addr, a, *stk);
}

/* ---- held-back reads, published -------------------------------------------------------------- */

#define PUB_MAX 1024
typedef struct pub_word {
    uintptr_t addr;
} __attribute__((aligned(64))) pub_word; /* a line each: written on every read miss */
static pub_word pub_tab[PUB_MAX], pub_dummy;
static uint32_t pub_n;
__thread uintptr_t *race_pub __attribute__((tls_model("initial-exec"))) = &pub_dummy.addr;

/* In a forked child only the forking thread exists: the others' held-back reads are
 * gone with them, and a free must not wait for them. */
static void pub_fork_child(void)
{
    for (uint32_t i = 0; i < PUB_MAX; i++)
        if (&pub_tab[i].addr != race_pub)
            pub_tab[i].addr = 0;
}

void race_pub_register(void)
{
    if (RT_LIKELY(race_pub != &pub_dummy.addr))
        return;
    uint32_t n = __atomic_fetch_add(&pub_n, 1, __ATOMIC_ACQ_REL);
    if (n < PUB_MAX)
        race_pub = &pub_tab[n].addr; /* past PUB_MAX threads: frees do not wait for them */
}

/* How long a free waits for another thread to apply a read it holds back: that thread
 * applies it at its next access that misses, edge, call or return, normally within
 * microseconds; a loop that touches nothing new keeps it longer, and then the free goes
 * on (docs/detector.md, Limits). */
#define PUB_WAIT_NS 50000000

void (*race_pend_wait_hook)(void);

void race_pend_wait(uintptr_t lo, uintptr_t hi)
{
    uint32_t n = __atomic_load_n(&pub_n, __ATOMIC_ACQUIRE);
    int64_t deadline = 0;
    for (uint32_t i = 0; i < n && i < PUB_MAX; i++) {
        uintptr_t *w = &pub_tab[i].addr, a;
        if (w == race_pub)
            continue;
        for (unsigned spins = 0; (a = __atomic_load_n(w, __ATOMIC_ACQUIRE)) && a < hi &&
                                 a + RACE_PEND_SPAN > lo;
             spins++) {
            if (spins == 0 && race_pend_wait_hook)
                race_pend_wait_hook();
            if (spins < 256) {
                __builtin_ia32_pause();
                continue;
            }
            int64_t now = rt_mono_ns();
            if (!deadline)
                deadline = now + PUB_WAIT_NS;
            if (now > deadline)
                return;
            rt_os_sched_yield();
        }
    }
}

/* ---- the memos' learning ------------------------------------------------------------------- */

/* Were a granule's cells before (o0, o1) and after (n0, n1) an update in inline form, near
 * half only (no lock, overflow or far-half bit)?  Only such updates can be replayed from
 * the two words (race_memo, race_memo1). */
static inline bool memo_inline_states(uint64_t o0, uint64_t o1, uint64_t n0, uint64_t n1)
{
    return !((o0 | n0) & (CELL_LOCK | CELL_OVF)) && !((o1 | n1) & CELL_MORE);
}

/* ---- the one-granule memo (race_memo1 in detector.h) ---------------------------------------- */

__thread race_memo1 race_memo1_tab[RACE_MEMO1_N] __attribute__((tls_model("initial-exec")));

/* sh went from (old0, old1), stack ids s0, s1, to its cells now by the quick update of
 * write a with stack stk, outside any granule lock: remember it if the memo can replay it. */
static void memo1_learn(const shadow_granule *sh, uint64_t a, uint32_t stk, uint64_t old0,
                        uint64_t old1, uint32_t s0, uint32_t s1)
{
    uint64_t n0 = sh->c[0], n1 = sh->c[1], m = a & CELL_MASK;
    if (!memo_inline_states(old0, old1, n0, n1))
        return;
    race_memo1 mo = {a, old0, old1, n0, n1, 0, 0};
    const uint64_t old[2] = {old0, old1};
    const uint32_t ostk[2] = {s0, s1};
    for (int i = 0; i < 2; i++)
        if ((old[i] & CELL_MASK) && !((old[i] ^ a) & ~CELL_MASK)) {
            if (ostk[i] != stk)
                return; /* a cell the update kept apart for its stack: not worth a memo */
            mo.join |= (uint8_t)(1u << i);
        }
    const uint64_t key = ~CELL_MASK | m;
    if (!((n0 ^ a) & key))
        mo.pos = 0;
    else if (!((n1 ^ a) & key))
        mo.pos = 1;
    else
        return;
    *race_memo1_of(a) = mo;
}

/* The quick update of a plain write a (stack stk) through the memo, teaching it; false
 * when the general path is needed. */
static inline bool access_write_quick(race_gs *gs, shadow_granule *sh, uintptr_t addr, uint64_t a,
                                      uint32_t stk)
{
    if (race_may_note(gs, addr))
        race_note_stack(gs, addr);
    if (race_memo1_apply(sh, a, stk))
        return true;
    bool locked;
    bias_thr *t = shadow_enter(sh, &locked);
    uint64_t old0 = sh->c[0], old1 = sh->c[1];
    uint32_t s0 = sh->stk[0], s1 = sh->stk[1];
    bool done = shadow_quick_cells(sh, a, stk, &gs->who, locked);
    if (done && !locked)
        memo1_learn(sh, a, stk, old0, old1, s0, s1);
    bias_exit(t);
    return done;
}

/* The read held back in gs->pend, then write a of the same bytes: the write's quick
 * update alone if it races with nothing (it leaves what both would), else each its own
 * path, read first, as if nothing had been held back. */
static void access_fused(race_gs *gs, shadow_granule *sh, uintptr_t addr, uint64_t a, uintptr_t pc)
{
    uint32_t stk = race_stack_id_fast(gs, pc);
    if (RT_LIKELY(access_write_quick(gs, sh, addr, a, stk))) {
        race_pend_drop(gs);
        return;
    }
    race_pend_apply(gs);
    race_access_stk(gs, sh, addr, a, stk);
}

/* A held-back 16-byte read (a: with RACE_PEND_PAIR): what tsan_access16 would have done
 * with it at once.  Its window is mapped: the read found it so. */
static void pend_apply_pair(race_gs *gs, uintptr_t addr, uint64_t a, uintptr_t pc)
{
    shadow_granule *sh = shadow_of(addr);
    a &= ~RACE_PEND_PAIR;
    bool lo = shadow_covers(sh, a), hi = shadow_covers(sh + 1, a);
    if ((lo && hi) || (!lo && !hi && race_memo_apply(gs, sh, addr, a, pc)))
        return;
    race_access_pair(gs, sh, addr, a, pc, lo, hi);
}

void race_pend_apply(race_gs *gs)
{
    race_pend p = gs->pend;
    gs->pend.addr = 0; /* first: the read's report may exit (halt_on_error) and flush again */
    if (p.a & RACE_PEND_PAIR) {
        pend_apply_pair(gs, p.addr, p.a, p.pc);
        if (p.pc2)
            pend_apply_pair(gs, p.addr + 16, p.a, p.pc2);
    } else {
        race_access_stk(gs, shadow_of(p.addr), p.addr, p.a, race_stack_id_fast(gs, p.pc));
    }
    race_pub_set(0); /* after the reads are in the shadow, for race_pend_wait */
}

void race_access_miss(race_gs *gs, shadow_granule *sh, uintptr_t addr, uint64_t a, uintptr_t pc)
{
    if (RT_UNLIKELY(gs->pend.addr != 0)) {
        if ((a & CELL_WRITE) && race_pend_fuses(gs, addr, a)) {
            access_fused(gs, sh, addr, a, pc);
            return;
        }
        race_pend_apply(gs);
    }
    if (!(a & (CELL_WRITE | CELL_ATOMIC))) {
        gs->pend = (race_pend){addr, pc, a, 0};
        race_pub_set(addr);
        return;
    }
    uint32_t stk = race_stack_id_fast(gs, pc);
    if (a & CELL_ATOMIC)
        race_access_stk(gs, sh, addr, a, stk);
    else if (RT_UNLIKELY(!access_write_quick(gs, sh, addr, a, stk)))
        race_access_general(gs, sh, addr, a, stk);
}

/* After the quick update of granule sh by a (a whole-granule plain access) from state
 * (old0, old1): if it took one of the memo's two shapes, remember it (race_memo). */
static void memo_learn(const shadow_granule *sh, uint64_t a, uint64_t old0, uint64_t old1)
{
    uint64_t n0 = sh->c[0], n1 = sh->c[1];
    if ((a & (CELL_MASK | CELL_ATOMIC)) != CELL_MASK || !memo_inline_states(old0, old1, n0, n1))
        return;
    race_memo m = {a, old0, old1, n0, n1, 0};
    if (n0 == a && n1 == 0) {
        m.pos = 0;                /* every cell happened before a and gave way */
    } else if (n0 == old0 && n1 == a && !old1 && (old0 & CELL_WRITE) && !(a & CELL_WRITE)) {
        m.pos = 1;                /* a read after a write that happened before it */
    } else {
        return;
    }
    race_memo_tab[(a & CELL_WRITE) != 0] = m;
}

/* The quick updates of both granules of a 16-byte access, neither covered, in one region
 * of the shadow (all but one pair in 87k), sharing one entry into the region; done[i]
 * false where granule i needs the general path (left unchanged). */
static void pair_quick(race_gs *gs, shadow_granule *sh, uintptr_t addr, uint64_t a, uint32_t stk,
                       bool done[2])
{
    if (race_may_note(gs, addr))
        race_note_stack(gs, addr);
    bool locked;
    bias_thr *t = shadow_enter(sh, &locked);
    uint64_t old0 = sh->c[0], old1 = sh->c[1];
    done[0] = shadow_quick_cells(sh, a, stk, &gs->who, locked);
    done[1] = shadow_quick_cells(sh + 1, a, stk, &gs->who, locked);
    if (done[0] && done[1] && !locked)
        memo_learn(sh, a, old0, old1);
    bias_exit(t);
}

static void access_pair_both(race_gs *gs, shadow_granule *sh, uintptr_t addr, uint64_t a,
                             uint32_t stk)
{
    bool done[2];
    pair_quick(gs, sh, addr, a, stk, done);
    for (int i = 0; i < 2; i++)
        if (RT_UNLIKELY(!done[i]))
            race_access_general(gs, sh + i, addr + 8 * (uintptr_t)i, a, stk);
}

/* Where the write races (or needs the general path), the held-back read is applied
 * first, then the write, in the order the two calls came, so reports are the unfused
 * ones; where it does not, its cell is what both would leave. */
void race_access_pair_fused(race_gs *gs, shadow_granule *sh, uintptr_t addr, uint64_t a,
                            uintptr_t pc)
{
    bool done[2] = {false, false};
    uint32_t stk = race_stack_id_fast(gs, pc);
    if (bias_same_region(sh, sh + 1))
        pair_quick(gs, sh, addr, a, stk, done);
    race_pend p = gs->pend;
    race_pend_shift(gs); /* first, as in race_pend_apply */
    if (!done[0] || !done[1]) {
        uint32_t rstk = race_stack_id_fast(gs, p.pc);
        for (int i = 0; i < 2; i++)
            if (!done[i])
                race_access_stk(gs, sh + i, addr + 8 * (uintptr_t)i, a & ~CELL_WRITE, rstk);
        for (int i = 0; i < 2; i++)
            if (!done[i])
                race_access_stk(gs, sh + i, addr + 8 * (uintptr_t)i, a, stk);
    }
    if (!gs->pend.addr)
        race_pub_set(0); /* after the shadow's stores, for race_pend_wait */
}

void race_access_pair(race_gs *gs, shadow_granule *sh, uintptr_t addr, uint64_t a, uintptr_t pc,
                      bool lo, bool hi)
{
    uint32_t stk = race_stack_id_fast(gs, pc);
    if (RT_LIKELY(!lo && !hi) && bias_same_region(sh, sh + 1)) {
        access_pair_both(gs, sh, addr, a, stk);
        return;
    }
    if (!lo)
        race_access_stk(gs, sh, addr, a, stk);
    if (!hi)
        race_access_stk(gs, sh + 1, addr + 8, a, stk);
}

void race_access_slow(race_gs *gs, uintptr_t addr, uint64_t a, uintptr_t pc)
{
    shadow_granule *sh = shadow_map_slow(addr);
    if (sh)
        race_access_miss(gs, sh, addr, a, pc);
}

void race_access_range(race_gs *gs, uintptr_t addr, size_t n, uint64_t kind, uintptr_t pc)
{
    race_flush(gs);
    uint32_t stk = DEPOT_UNKNOWN;
    uintptr_t end = addr + n;
    if (end < addr)
        end = UINTPTR_MAX;
    for (uintptr_t p = addr; p < end;) {
        uintptr_t gend = (p & ~7ull) + 8;
        if (gend > end)
            gend = end;
        unsigned mask = ((1u << (gend - p)) - 1) << (p & 7);
        uint64_t a = gs->epoch | kind | (uint64_t)mask << CELL_MASK_SHIFT;
        shadow_granule *sh = shadow_of(p);
        if (RT_UNLIKELY(!sh) && !(sh = shadow_map_slow(p)))
            break; /* outside user space */
        if (!shadow_covers(sh, a))
            race_granule(gs, sh, p, a, pc, &stk);
        p = gend;
    }
}

/* Would a write by `who` race with a cell of granule g (read as it is, no lock)?  True
 * for the overflow form, which only the full path reads. */
static bool granule_races_write(const shadow_granule *g, const shadow_actor *who)
{
    uint64_t c[SHADOW_CELLS];
    c[0] = __atomic_load_n(&g->c[0], __ATOMIC_RELAXED);
    if (c[0] & CELL_OVF)
        return true;
    shadow_load_rest(g, c[0], c + 1);
    for (int i = 0; i < SHADOW_CELLS; i++)
        if (cell_mask(c[i]) && !cell_hb(c[i], who))
            return true;
    return false;
}

void race_free_range(race_gs *gs, uintptr_t lo, size_t n, uintptr_t pc)
{
    race_flush(gs);
    uintptr_t hi = lo + n;
    if (!n || hi < lo)
        return;
    uintptr_t first = lo & ~7ull, last = (hi - 1) & ~7ull;
    for (uintptr_t p = first; p <= last; p += 8) {
        shadow_granule *g = shadow_of(p);
        if (p == first || p == last || !g || granule_races_write(g, &gs->who)) {
            uintptr_t s = p < lo ? lo : p, e = p + 8 < hi ? p + 8 : hi;
            race_access_range(gs, s, e - s, RACE_WRITE, pc);
        }
    }
}

/* ---- stacks waiting for reuse ----------------------------------------------------------------- */

/* A stack's dirty mark (the lowest address its last goroutine touched) travels with the
 * stack through the runtime's cache (race_go_end_slow's result), not in a table here: a
 * table of a million exited goroutines' stacks cost a hash-chain walk of cold entries on
 * every exit.  Below the deepest instrumented frame lies its callees' red zone; accesses
 * by the goroutine deeper down (runtime range accesses) lower min_sp themselves
 * (race_granule). */
#define STACK_DIRTY_MARGIN 256

void race_stack_reuse_slow(const void *lo, const void *hi, uintptr_t dirty)
{
    uintptr_t from = dirty > (uintptr_t)lo + STACK_DIRTY_MARGIN ? dirty - STACK_DIRTY_MARGIN
                                                                : (uintptr_t)lo;
    race_pend_wait(from, (uintptr_t)hi);
    shadow_reset(from, (uintptr_t)hi);
    race_lock_forget(from, (uintptr_t)hi);
}

/* ---- the runtime's hooks ------------------------------------------------------------------- */

void race_go_start_slow(rt_g *parent, rt_g *child)
{
    race_gs *pgs = parent ? parent->race : NULL;
    uint32_t create_stk = 0;
    if (pgs)
        race_flush(pgs); /* before the child inherits the clock */
    if (pgs)
        create_stk = race_stack_id(pgs, child->ncreate ? child->create_pc[0] : 0);
    uint32_t start;
    rt_lock(&rs.lock);
    uint32_t slot = slot_alloc(pgs ? &pgs->vc : NULL, &start);
    rt_unlock(&rs.lock);
    race_gs *cgs = gs_new(child, slot, start, pgs ? &pgs->vc : NULL, create_stk);
    rt_lock(&rs.lock);
    slot_push_owner(slot, start, cgs->info);
    rt_unlock(&rs.lock);
    child->race = cgs;
    if (pgs)
        race_tick(pgs); /* the go statement is a release to the child */
}

uintptr_t race_go_end_slow(rt_g *g)
{
    race_gs *gs = g->race;
    if (!gs)
        return 0;
    race_flush(gs);
    uintptr_t dirty = g->stack_hi && gs->min_sp < (uintptr_t)g->stack_hi ? gs->min_sp : 0;
    rt_lock(&rs.lock);
    race_slot *sl = &rs.slots[gs->slot];
    sl->final = gs->clk;
    sl->live = false;
    gs->info->finished = true;
    gs->info->g = NULL;
    if (rs.nfree == rs.capfree) {
        rs.capfree = rs.capfree ? rs.capfree * 2 : 1024;
        rs.free = race_realloc(rs.free, rs.capfree * sizeof *rs.free);
    }
    rs.free[rs.nfree++] = gs->slot;
    rt_unlock(&rs.lock);
    if (gs->stack_syncs)
        race_sync_forget_stack(gs);
    vc_free(&gs->vc);
    race_rare_free(gs);
    race_free(gs->frame_pc);
    race_free(gs->frame_node);
    race_free(gs);
    g->race = NULL;
    return dirty;
}

race_rare *race_rare_of(race_gs *gs)
{
    if (RT_UNLIKELY(!gs->rare)) {
        gs->rare = race_malloc(sizeof *gs->rare);
        memset(gs->rare, 0, sizeof *gs->rare);
    }
    return gs->rare;
}

void race_rare_free(race_gs *gs)
{
    race_rare *r = gs->rare;
    if (!r)
        return;
    vc_free(&r->fences.acq);
    vc_free(&r->fences.rel);
    race_free(r->held.v);
    race_free(r);
    gs->rare = NULL;
}

void race_acquire_slow(const void *addr)
{
    race_gs *gs = race_cur();
    if (gs)
        race_sync_acquire(gs, (uintptr_t)addr);
}

void race_release_slow(const void *addr)
{
    race_gs *gs = race_cur();
    if (gs)
        race_sync_release(gs, (uintptr_t)addr, false);
}

void race_release_merge_slow(const void *addr)
{
    race_gs *gs = race_cur();
    if (gs)
        race_sync_release(gs, (uintptr_t)addr, true);
}

/* gs's past happens before ps's future (ps is parked: its clock is frozen). */
static void release_into(race_gs *gs, race_gs *ps)
{
    vc_join(&ps->vc, &gs->vc);
    race_tick(gs); /* what gs does from now on is new to ps */
    race_restamp(gs);
    race_restamp(ps);
}

void race_handoff_slow(rt_g *parked)
{
    race_gs *gs = race_cur(), *ps = parked->race;
    if (!gs || !ps)
        return;
    race_flush(gs); /* ps has nothing held back: it switched away (race_switch_out_slow) */
    vc_join(&gs->vc, &ps->vc);
    race_tick(ps); /* what the parked goroutine does once resumed is new to us */
    release_into(gs, ps);
}

void race_release_to_slow(rt_g *parked)
{
    race_gs *gs = race_cur(), *ps = parked->race;
    if (!gs || !ps)
        return;
    race_flush(gs);
    release_into(gs, ps);
}

void race_switch_out_slow(rt_g *g)
{
    race_gs *gs = g->race;
    if (gs)
        race_flush(gs);
}

void race_m_start_slow(void) { race_pub_register(); }

void race_read_range_slow(const void *addr, size_t n, uintptr_t pc)
{
    race_gs *gs = race_cur();
    if (gs && n)
        race_access_range(gs, (uintptr_t)addr, n, RACE_READ, pc);
}

void race_write_range_slow(const void *addr, size_t n, uintptr_t pc)
{
    race_gs *gs = race_cur();
    if (gs && n)
        race_access_range(gs, (uintptr_t)addr, n, RACE_WRITE, pc);
}

void __tsan_func_entry(void *pc);
void __tsan_func_exit(void);

/* The call site becomes a frame of its own and op's entry the access's pc, so a report
 * reads like Go's ("chan_close()" above the user's frames); report.c dedups such races by
 * the call site, not by op. */
void race_access_as_op(race_gs *gs, uintptr_t addr, size_t n, uint64_t kind, uintptr_t callpc,
                       uintptr_t op)
{
    __tsan_func_entry((void *)callpc);
    race_access_range(gs, addr, n, kind, op + 1);
    __tsan_func_exit();
}

uint32_t race_op_stack_id(race_gs *gs, uintptr_t callpc, uintptr_t op)
{
    __tsan_func_entry((void *)callpc);
    uint32_t stk = race_stack_id(gs, op + 1);
    __tsan_func_exit();
    return stk;
}

void race_op_access_slow(const void *addr, bool write, uintptr_t callpc, const void *op)
{
    race_gs *gs = race_cur();
    if (gs)
        race_access_as_op(gs, (uintptr_t)addr, 1, write ? RACE_WRITE : RACE_READ, callpc,
                          (uintptr_t)op);
}

/* ---- start-up ---------------------------------------------------------------------------------- */

/* Reports name addresses, and a run must be reproducible byte for byte from its seed
 * (procs = 1): like Go, whose heap sits at fixed addresses, run without address-space
 * randomisation.  The first time, turn it off and exec the program again (the setting
 * survives exec, so this happens once); if the kernel refuses, carry on randomised. */
static void race_fix_addresses(void)
{
    int pers = personality(0xffffffff);
    if (pers == -1 || (pers & ADDR_NO_RANDOMIZE) || personality((unsigned long)pers | ADDR_NO_RANDOMIZE) == -1)
        return;
    static char buf[1 << 16];
    static char *argv[1024];
    int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
    if (fd >= 0)
        close(fd);
    if (n <= 0 || n == (ssize_t)sizeof buf - 1)
        return;
    int argc = 0;
    for (ssize_t i = 0; i < n && argc < 1023; i += (ssize_t)strlen(buf + i) + 1)
        argv[argc++] = buf + i;
    argv[argc] = NULL;
    execv("/proc/self/exe", argv);
    personality((unsigned long)pers); /* exec failed: stay as we were */
}

uintptr_t race_main_stack_lo, race_main_stack_hi;

/* The executable's big writable segments (a global array of a million ints) are dense
 * like big heap blocks: huge pages for their shadow (shadow_advise_dense). */
static int advise_segments(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size, (void)data;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type == PT_LOAD && (ph->p_flags & PF_W))
            shadow_advise_dense(info->dlpi_addr + ph->p_vaddr,
                                info->dlpi_addr + ph->p_vaddr + ph->p_memsz);
    }
    return 1; /* the first object is the executable */
}

static void race_start(void);

/* errno stays the program's (race_start's own failed calls must not show in main). */
void race_init(void)
{
    static bool done;
    if (done)
        return;
    done = true;
    int saved_errno = RT_ERRNO;
    race_start();
    RT_ERRNO = saved_errno;
}

static void race_start(void)
{
    race_fix_addresses();
    rt_init();
    pthread_attr_t at;
    if (rt_os_pthread_getattr_np(rt_os_pthread_self(), &at) == 0) {
        void *lo;
        size_t sz;
        if (pthread_attr_getstack(&at, &lo, &sz) == 0) {
            race_main_stack_lo = (uintptr_t)lo;
            race_main_stack_hi = (uintptr_t)lo + sz;
        }
        pthread_attr_destroy(&at);
    }
    race_report_init();
    race_pub_register(); /* the main thread is an M too */
    pthread_atfork(NULL, NULL, pub_fork_child);
    dl_iterate_phdr(advise_segments, NULL);
    if (icpt_prepare)
        icpt_prepare();
    rt_g *g = rt_curg;
    if (!g)
        g = sched_self();
    uint32_t start;
    rt_lock(&rs.lock);
    uint32_t slot = slot_alloc(NULL, &start);
    rt_unlock(&rs.lock);
    race_gs *gs = gs_new(g, slot, start, NULL, 0);
    rt_lock(&rs.lock);
    slot_push_owner(slot, start, gs->info);
    rt_unlock(&rs.lock);
    g->race = gs;
    __atomic_store_n(&race_enabled, true, __ATOMIC_RELEASE);
}
