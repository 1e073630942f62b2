/*
 * detector.h - the race detector's internal interface: per-goroutine state, the
 * per-access hot path (inlined into every __tsan_readN/writeN), and the cold paths it
 * falls back to.
 *
 * Ownership: a race_gs belongs to its goroutine and is only touched by the M running it,
 * except at creation (by the creator, before the child can run) and at exit.  Global
 * tables (slots, goroutine records, sync objects, heap blocks) have their own spin locks,
 * documented in race.c and report.c.
 */
#ifndef RACEDEMO_DETECTOR_H
#define RACEDEMO_DETECTOR_H

#include "../runtime/race.h"
#include "../runtime/rt.h"
#include "depot.h"
#include "shadow.h"
#include "vclock.h"

/* What reports say about a goroutine, kept after it finished. */
typedef struct race_ginfo {
    int64_t goid;
    uint32_t create_stk;     /* depot id of the go() call site (0 for main) */
    bool finished;
    rt_g *g;                 /* while alive: for "stack of goroutine N" */
} race_ginfo;

/* The stack-id cache, (frame node, pc) -> depot id.  A node names a whole stack, so an
 * entry is true for any goroutine: the cache is per thread, not in every race_gs (a
 * million parked goroutines paid 256 bytes each for it, about 64k page faults).  A
 * loop's access sites (clang's vectorised array loop has four within 0x90 bytes) must
 * all fit.  Eight sets of two adjacent ways
 * (i and i + 1, i even), indexed by the pc's 16-byte line of code, so that the sites of
 * one loop body, a few calls apart, land in different sets whatever the code's address.
 * (A multiplicative hash did not: nearby pcs share its top bits, and in 22% of layouts
 * three of those four sites fell into one set, which made the array loop 1.5x slower
 * after an unrelated change moved it by 16 bytes.) */
#define RACE_STACK_CACHE 16
_Static_assert(RACE_STACK_CACHE == 16, "race_sc_index keeps 3 bits");
static inline unsigned race_sc_index(uintptr_t pc)
{
    return (unsigned)((pc >> 4) & 7) * 2; /* the set's first way */
}
typedef struct race_sc_ent {
    uintptr_t pc;
    uint32_t node, id;
} race_sc_ent;
extern __thread race_sc_ent race_sc[RACE_STACK_CACHE] __attribute__((tls_model("initial-exec")));

/* The last update of both granules of a 16-byte access of one kind, when they were in
 * one state and it became [a] or [their write cell, a] (the array sweep's two steps):
 * granules found in state (old0, old1) by the same access a take (new0, new1) and the
 * access's stack id at cell `pos`, without the slow path.  Valid for as long as a is:
 * a includes the epoch, and every cell the update dropped or kept under a read happened
 * before it, which stays true as the goroutine's clock only grows. */
typedef struct race_memo {
    uint64_t a, old0, old1, new0, new1;
    uint32_t pos;
} race_memo;
/* Per kind (read, write), per thread: a names the goroutine's epoch, and slots are reused
 * only with higher clocks, so no other goroutine's access matches a memo. */
extern __thread race_memo race_memo_tab[2] __attribute__((tls_model("initial-exec")));

/* A plain read of at most 8 bytes (or 16 aligned: RACE_PEND_PAIR) that missed, held
 * back until the goroutine's next step: `x = f(x)` compiles to read(x), write(x), and
 * when that write comes next and races with nothing, its cell alone is what both would
 * leave (a write stands for a read of its own epoch), so the read costs no update of its
 * own.  A 4-byte loop (gcc's) then never needs a third cell per granule.  When the write
 * does race, the read and then the write take their own paths, so reports are unchanged.
 * Every step that changes the goroutine's clock or frames, any other access that misses,
 * a free, and switching away (race_switch_out) first apply it (race_flush): it is applied
 * with the clock, stack and order it had.  addr 0: none. */
typedef struct race_pend {
    uintptr_t addr, pc;
    uint64_t a;
    uintptr_t pc2; /* pairs only: a second 16-byte read at addr + 16, 0 for none */
} race_pend;
/* In pend.a: the held-back read is a 16-byte one over the two granules at addr (clang's
 * vectorised `x = f(x)`), fused with the 16-byte write that follows it the same way.
 * Clang's loops read two vectors, then write both, so the next 16 bytes' read may be
 * held back with it (pc2) and goes first when the first write fuses.  No access cell has
 * this bit, so race_pend_fuses never takes a pair for a one-granule write.
 * RACE_PEND_SPAN: the bytes held-back reads may cover from the published address. */
#define RACE_PEND_PAIR CELL_LOCK
#define RACE_PEND_SPAN 32

/* The address of the read this thread's goroutine holds back, 0 for none, where the
 * frees of other threads see it (race_pend_wait): a free must not reset the shadow
 * under a read that is still to be applied, or the read's race with the write before
 * the free is lost.  A thread's word is a line of a static table once it registered
 * (race_pub_register, when its M starts), a shared dummy before. */
extern __thread uintptr_t *race_pub __attribute__((tls_model("initial-exec")));
static inline void race_pub_set(uintptr_t addr)
{
    __atomic_store_n(race_pub, addr, __ATOMIC_RELEASE); /* after the shadow's stores */
}
void race_pub_register(void);
/* Before [lo, hi) is reset: wait (boundedly) until no other thread holds back a read in
 * it, so that it is applied first. */
void race_pend_wait(uintptr_t lo, uintptr_t hi);
/* Hook for tests: called when race_pend_wait starts waiting for another thread. */
extern void (*race_pend_wait_hook)(void);

/* C11 fences (sync.c): the clocks that relaxed atomic reads observed since, for the next
 * acquire fence; the goroutine's clock at its last release fence, which its later
 * relaxed atomic writes publish (valid when has_rel). */
typedef struct race_fences {
    vclock acq, rel;
    bool has_rel;
} race_fences;

/* The mutexes a goroutine holds, in no order, each with where it was taken (lockorder.c). */
typedef struct race_held {
    struct race_held_ent {
        uintptr_t mu;
        uint32_t stk;
    } *v;
    uint32_t n, cap;
} race_held;

/* What not every goroutine needs -- fence clocks (relaxed atomics, fences), held mutexes
 * (its first lock) -- allocated on first use (race_rare_of): a million goroutines that
 * only park on a channel pay one pointer for it. */
typedef struct race_rare {
    race_fences fences;
    race_held held;
} race_rare;

typedef struct race_gs {
    uint64_t epoch;          /* cell_make(slot, clk, 0, 0): the hot path's view */
    uint32_t slot, clk;
    vclock vc;               /* includes vc[slot] == clk */
    uintptr_t *frame_pc;     /* shadow call stack: return addresses, outermost first */
    uint32_t *frame_node;    /* depot id of frames [0..i], DEPOT_UNKNOWN until needed */
    uint32_t depth, cap;
    uintptr_t min_sp;        /* lowest stack address seen: what a stack reuse must reset */
    uintptr_t note_lo;       /* the goroutine's stack_lo once known (0 before): addresses
                              * below it are not on its stack (race_note_stack) */
    shadow_hbc hbc;          /* lower bound of one vc entry for the shadow's hb checks */
    shadow_actor who;        /* {slot, &vc, &hbc}, built once: what shadow updates take */
    race_ginfo *info;
    race_rare *rare;         /* NULL until its first relaxed atomic, fence or nested lock */
    uint64_t stamp;          /* names vc up to this goroutine's own entry: renewed
                              * whenever another entry may have changed (sync.c) */
    struct race_sync *stack_syncs; /* sync objects on this goroutine's stack (sync.c) */
    race_pend pend;          /* a read miss held back for one step (race_flush) */
} race_gs;

/* Is gs's held-back read the read half of plain write a at addr (same bytes, epoch)? */
static inline bool race_pend_fuses(const race_gs *gs, uintptr_t addr, uint64_t a)
{
    return gs->pend.addr == addr && gs->pend.a == (a & ~CELL_WRITE);
}
/* Is it the 16-byte read half of 16-byte plain write a at addr? */
static inline bool race_pend_fuses_pair(const race_gs *gs, uintptr_t addr, uint64_t a)
{
    return gs->pend.addr == addr && gs->pend.a == ((a & ~CELL_WRITE) | RACE_PEND_PAIR);
}
/* The held-back pair at pend.addr is fused into a write: the second pair, if any, is
 * held back now.  The caller publishes 0 once pend.addr is 0 and its stores are done. */
static inline void race_pend_shift(race_gs *gs)
{
    if (gs->pend.pc2) {
        gs->pend.addr += 16, gs->pend.pc = gs->pend.pc2, gs->pend.pc2 = 0;
        return;
    }
    gs->pend.addr = 0;
}
/* The held-back read is done with: fused into the write that followed it. */
static inline void race_pend_drop(race_gs *gs)
{
    gs->pend.addr = 0;
    race_pub_set(0); /* after the write's shadow stores */
}

/* What an atomic operation does (race_atomic_begin/end). */
enum {
    RACE_AT_READS = 1,   /* observes the previous value (load, read-modify-write) */
    RACE_AT_WRITES = 2,  /* stores a value (store, read-modify-write, successful CAS) */
    RACE_AT_ACQ = 4,     /* acquire order */
    RACE_AT_REL = 8,     /* release order */
    RACE_AT_MERGE = 16,  /* a release joins the object's clock (RMW) instead of replacing it */
};
/* Record the atomic access and take the edges its order implies, holding the variable's
 * sync object across the operation so its value and clock change together; end
 * publishes and unlocks (sync.c). */
race_gs *race_atomic_begin(uintptr_t addr, unsigned size, uintptr_t pc, unsigned op);
void race_atomic_end(race_gs *gs, unsigned op);
/* __tsan_atomic_thread_fence: acquire what relaxed reads saw / snapshot for relaxed writes. */
void race_fence(bool acq, bool rel);

/* Access kinds (cell bits). */
#define RACE_READ 0ull
#define RACE_WRITE CELL_WRITE
#define RACE_ATOMIC CELL_ATOMIC

/* ---- cold paths -------------------------------------------------------------------------- */

void race_init(void);
/* intercept.c's start-up, when the wrap flags linked it (weak: else NULL). */
void icpt_prepare(void) __attribute__((weak));
/* Slow path of one granule (mask inside a) whose inline cells do not cover a; sh is its
 * shadow. */
void race_access_miss(race_gs *gs, shadow_granule *sh, uintptr_t addr, uint64_t a, uintptr_t pc);
/* The held-back read (race_gs.pend): apply it now. */
void race_pend_apply(race_gs *gs);
static inline void race_flush(race_gs *gs)
{
    if (RT_UNLIKELY(gs->pend.addr != 0))
        race_pend_apply(gs);
}
/* Two adjacent whole granules at addr (8-byte aligned, one window), a covering both;
 * lo/hi say which the inline cells already cover. */
void race_access_pair(race_gs *gs, shadow_granule *sh, uintptr_t addr, uint64_t a, uintptr_t pc,
                      bool lo, bool hi);
/* The same for a 16-byte plain write a whose read half is held back (race_pend_fuses_pair),
 * neither granule covered: one update per granule when the write races with nothing. */
void race_access_pair_fused(race_gs *gs, shadow_granule *sh, uintptr_t addr, uint64_t a,
                            uintptr_t pc);
/* The same when addr's shadow window is not mapped yet (maps it). */
void race_access_slow(race_gs *gs, uintptr_t addr, uint64_t a, uintptr_t pc);
/* The general update of one granule (races, read-shared cells, overflow, atomics) and
 * the report if it races; stk is the access's stack id. */
void race_access_general(race_gs *gs, shadow_granule *sh, uintptr_t addr, uint64_t a,
                         uint32_t stk);
/* addr is below gs->min_sp: lower it if addr lies on the goroutine's stack. */
void race_note_stack(race_gs *gs, uintptr_t addr);
/* Any range: split into granules. */
void race_access_range(race_gs *gs, uintptr_t addr, size_t n, uint64_t kind, uintptr_t pc);
/* The same as an operation's own access: callpc (the user's call site) a frame of its own
 * and op (the operation's entry) the top one, as race_op_access and the libc wrappers
 * report them. */
void race_access_as_op(race_gs *gs, uintptr_t addr, size_t n, uint64_t kind, uintptr_t callpc,
                       uintptr_t op);
/* The stack race_access_as_op reports: callpc a frame of its own, op the top one. */
uint32_t race_op_stack_id(race_gs *gs, uintptr_t callpc, uintptr_t op);
/* A free of [addr, addr + n), which shadow_reset forgets next: checked as a write, but only
 * granules holding a cell the write races with take the write's full path (and report);
 * the others are only read, as recording the write there would be undone at once. */
void race_free_range(race_gs *gs, uintptr_t addr, size_t n, uintptr_t pc);
/* The current goroutine's stack with pc as its innermost frame, interned. */
uint32_t race_stack_id(race_gs *gs, uintptr_t pc);
/* Shadow stack growth. */
void race_frames_grow(race_gs *gs);
/* Goroutine record of an epoch, NULL if unknown.  Takes the slot lock. */
race_ginfo *race_ginfo_of(uint32_t slot, uint32_t clk);
/* The goroutine releases: its epoch advances (race.c). */
void race_tick(race_gs *gs);

/* sync.c: release/acquire on the sync object at addr for gs (atomics and hooks). */
void race_sync_acquire(race_gs *gs, uintptr_t addr);
void race_sync_release(race_gs *gs, uintptr_t addr, bool merge);
/* gs's clock changed other than by its own ticks (or gs is new): a new stamp. */
void race_restamp(race_gs *gs);
/* gs exits: the sync objects on its stack die with it. */
void race_sync_forget_stack(race_gs *gs);

/* lockorder.c: the lock-order graph (potential deadlocks).  An edge: `to` taken at
 * stk_to by `who` while it held `from` (taken at stk_from) and the guards. */
#define RACE_LOCK_GUARDS 4
typedef struct race_lock_edge {
    uintptr_t from, to;
    uint32_t stk_from, stk_to;
    race_ginfo *who;
    uintptr_t guard[RACE_LOCK_GUARDS];
    uint8_t nguard;
} race_lock_edge;
/* gs's rare state, made (zeroed) on first use; race_rare_free at its end. */
race_rare *race_rare_of(race_gs *gs);
void race_rare_free(race_gs *gs);
/* Memory [a, b) is freed or reused: the mutexes there are new ones from now on. */
void race_lock_forget(uintptr_t a, uintptr_t b);

/* report.c */
/* A cycle of len edges in the lock order graph, edge k ending where k + 1 starts. */
void race_report_lock_cycle(const race_lock_edge *cycle, int len);
/* Lock-order inversions reported so far. */
long race_report_lock_count(void);
void race_report(race_gs *gs, uintptr_t addr, uint64_t a, uint32_t stk, const shadow_hit *hits,
                 int nhits);
void race_report_init(void);
/* Number of races reported so far. */
long race_report_count(void);
/* Heap block registry (intercept.c feeds it; reports read it). */
void race_heap_add(uintptr_t p, size_t n, race_gs *gs, uint32_t stk);
/* Forget block p; returns its size (0 if unknown). */
size_t race_heap_del(uintptr_t p);
/* Hook for tests: when set, receives each race instead of the printed report. */
extern void (*race_report_hook)(uintptr_t addr, uint64_t a, const shadow_hit *hit);

/* ---- the hot path ------------------------------------------------------------------------ */

static inline race_gs *race_cur(void)
{
    rt_g *g = rt_curg;
    return RT_LIKELY(g != NULL) ? (race_gs *)g->race : NULL;
}

/* The cached stack id of (node, pc), 0 if not cached.  Two ways: two sites of one loop
 * whose pcs hash alike keep both their entries (race_stack_id fills them). */
static inline __attribute__((always_inline)) uint32_t race_sc_lookup(uint32_t node, uintptr_t pc)
{
    const race_sc_ent *e = &race_sc[race_sc_index(pc)];
    if (e[0].pc == pc && e[0].node == node && e[0].id)
        return e[0].id;
    if (e[1].pc == pc && e[1].node == node && e[1].id)
        return e[1].id;
    return 0;
}

/* race_stack_id when the innermost frame's node is known and (node, pc) is in the
 * goroutine's cache: a few compares, no call.  The id is exact: frame_node[depth-1]
 * names the whole current stack, and the cache entry the depot node (that stack, pc). */
static inline __attribute__((always_inline)) uint32_t race_stack_id_fast(race_gs *gs, uintptr_t pc)
{
    uint32_t d = gs->depth;
    uint32_t node = RT_LIKELY(d != 0) ? gs->frame_node[d - 1] : 0; /* 0: the empty stack */
    uint32_t id = race_sc_lookup(node, pc);
    return RT_LIKELY(id != 0) ? id : race_stack_id(gs, pc);
}

/* May addr lower gs's stack mark (race_note_stack, which the slow paths call)? */
static inline bool race_may_note(const race_gs *gs, uintptr_t addr)
{
    return addr < gs->min_sp && addr >= gs->note_lo;
}

/* Both granules of a 16-byte access at addr (shadow sh, one region, neither covered) by
 * the memo of a's kind, if they are in its state; false leaves them to the slow path.
 * At procs > 1 only on the region's owner (bias.h), which the slow path arranges. */
static inline __attribute__((always_inline)) bool race_memo_apply(race_gs *gs, shadow_granule *sh,
                                                                  uintptr_t addr, uint64_t a,
                                                                  uintptr_t pc)
{
    const race_memo *mo = &race_memo_tab[(a & CELL_WRITE) != 0];
    if (RT_LIKELY(mo->a != a) || race_may_note(gs, addr))
        return false;
    uint32_t stk = race_stack_id_fast(gs, pc); /* before the region: it may take locks */
    bias_thr *t = NULL;
    if (RT_UNLIKELY(rt_multi) && (!bias_same_region(sh, sh + 1) || !(t = bias_enter_owned(sh))))
        return false;
    bool hit = sh[0].c[0] == mo->old0 && sh[0].c[1] == mo->old1 && sh[1].c[0] == mo->old0 &&
               sh[1].c[1] == mo->old1;
    if (hit) {
        sh[0].stk[mo->pos] = sh[1].stk[mo->pos] = stk;
        __atomic_store_n(&sh[0].c[1], mo->new1, __ATOMIC_RELAXED);
        __atomic_store_n(&sh[1].c[1], mo->new1, __ATOMIC_RELAXED);
        __atomic_store_n(&sh[0].c[0], mo->new0, __ATOMIC_RELAXED);
        __atomic_store_n(&sh[1].c[0], mo->new0, __ATOMIC_RELAXED);
    }
    bias_exit(t);
    return hit;
}

/* The last quick update by a plain write a of at most 8 bytes on this thread, replayed on
 * the next granule found in the same state: a 4-byte loop (gcc's) writes each granule's
 * halves over the other worker's write cell, the same two transitions granule after
 * granule.  A replay leaves exactly what the quick update would:
 *   - the update depends only on the cells, a, the hb tests of other goroutines' cells it
 *     overlaps (for a plain write each one must have held, else it was a race) and, for
 *     cells of a's epoch and kind, whether their stack id is a's (`join`);
 *   - hb tests that held keep holding (the goroutine's clock only grows), and a carries
 *     the epoch, so a memo outlives no tick: slots are reused with higher clocks, so no
 *     other goroutine's access equals a, and the memo can live per thread;
 *   - only states in inline form (no overflow, lock or far-half bit) are learnt, where
 *     the update moves no stack ids: the cell covering a afterwards (`pos`) takes a's.
 * Indexed by the lowest byte a writes, two bytes per entry, so a granule's two halves
 * keep an entry each. */
typedef struct race_memo1 {
    uint64_t a, old0, old1, new0, new1;
    uint8_t pos, join;
} race_memo1;
#define RACE_MEMO1_N 4
extern __thread race_memo1 race_memo1_tab[RACE_MEMO1_N] __attribute__((tls_model("initial-exec")));

static inline race_memo1 *race_memo1_of(uint64_t a)
{
    return &race_memo1_tab[((unsigned)__builtin_ctzll(a & CELL_MASK) - CELL_MASK_SHIFT) >> 1];
}

/* Replay the memo on sh for write a with stack stk, if sh is in its state. */
static inline __attribute__((always_inline)) bool race_memo1_apply(shadow_granule *sh, uint64_t a,
                                                                   uint32_t stk)
{
    const race_memo1 *mo = race_memo1_of(a);
    if (mo->a != a)
        return false;
    bias_thr *t = NULL;
    if (RT_UNLIKELY(rt_multi) && !(t = bias_enter_owned(sh)))
        return false;
    bool hit = sh->c[0] == mo->old0 && sh->c[1] == mo->old1 &&
               (!(mo->join & 1) || sh->stk[0] == stk) && (!(mo->join & 2) || sh->stk[1] == stk);
    if (hit) {
        sh->stk[mo->pos] = stk;
        __atomic_store_n(&sh->c[1], mo->new1, __ATOMIC_RELAXED);
        __atomic_store_n(&sh->c[0], mo->new0, __ATOMIC_RELAXED);
    }
    bias_exit(t);
    return hit;
}

/* A plain write that missed, when it is the write half of `x = f(x)` (or no read is held
 * back) and the one-granule memo knows its granule's state: no call.  At procs > 1 only on
 * the region's owner.  False leaves it to race_access_miss. */
static inline __attribute__((always_inline)) bool race_write_memo(race_gs *gs, shadow_granule *sh,
                                                                  uintptr_t addr, uint64_t a,
                                                                  uintptr_t pc)
{
    if (race_memo1_of(a)->a != a || race_may_note(gs, addr))
        return false;
    if (gs->pend.addr != 0 && !race_pend_fuses(gs, addr, a))
        return false;
    if (!race_memo1_apply(sh, a, race_stack_id_fast(gs, pc)))
        return false;
    if (gs->pend.addr)
        race_pend_drop(gs);
    return true;
}

/* The slow path of one granule whose inline cells do not cover a, stack id known: the
 * quick update inline, the general one out of line. */
static inline __attribute__((always_inline)) void race_access_stk(race_gs *gs, shadow_granule *sh,
                                                                  uintptr_t addr, uint64_t a,
                                                                  uint32_t stk)
{
    if (race_may_note(gs, addr))
        race_note_stack(gs, addr);
    if (RT_LIKELY(shadow_update_quick(sh, a, stk, &gs->who)))
        return;
    race_access_general(gs, sh, addr, a, stk);
}

/* One access of size 1, 2, 4 or 8 bytes (other sizes and granule-crossing ones go to the
 * range path).  pc is the return address into the instrumented code. */
static inline __attribute__((always_inline)) void race_access(uintptr_t addr, unsigned size,
                                                              uint64_t kind, uintptr_t pc)
{
    if (RT_UNLIKELY(sched_should_preempt != NULL))
        sched_preempt_point();
    race_gs *gs = race_cur();
    if (RT_UNLIKELY(!gs))
        return;
    unsigned off = addr & 7;
    if (RT_UNLIKELY(off + size > 8)) {
        race_access_range(gs, addr, size, kind, pc);
        return;
    }
    uint64_t a = gs->epoch | kind | (uint64_t)(((1u << size) - 1) << off) << CELL_MASK_SHIFT;
    /* shadow_of without its checks: user addresses are below 2^47 */
    uintptr_t base = shadow_win[(addr >> SHADOW_WIN_SHIFT) & (SHADOW_NWIN - 1)];
    if (RT_LIKELY(base != 0)) {
        shadow_granule *sh = shadow_at(base, addr);
        if (RT_LIKELY(shadow_covers(sh, a)))
            return;
        if (kind == RACE_READ && RT_LIKELY(gs->pend.addr == 0)) {
            gs->pend = (race_pend){addr, pc, a, 0}; /* race_access_miss would, no call */
            race_pub_set(addr);
            return;
        }
        if (kind == RACE_WRITE && race_write_memo(gs, sh, addr, a, pc))
            return;
        /* a call, not inlined: the covered case stays a leaf that saves no registers */
        race_access_miss(gs, sh, addr, a, pc);
        return;
    }
    race_access_slow(gs, addr, a, pc);
}

#endif
