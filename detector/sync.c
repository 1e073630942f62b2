/*
 * sync.c - sync objects (the clock of a mutex, channel, WaitGroup or atomic variable,
 * keyed by its address) and the atomic operations and fences that use them.
 *
 * Locks (innermost last):
 *   sync_lock    the uthash table, the free list, sync_gen, goroutines' stack_syncs lists
 *   s->lock      one object's clock; taken inside sync_lock or alone (sync_get's cache)
 *
 * Two threads hammering one atomic counter spend their time moving cache lines between
 * cores, so an operation touches as few shared lines as it can: each thread remembers
 * the objects it used last (sync_cache) and locks only the object, whose lock shares its
 * line with the clock's header; the table lock is taken on a cache miss.  A cached
 * pointer may be stale, so objects are type-stable (a destroyed object goes to a free
 * list and is never given back to libc: its lock stays a lock) and every destroy bumps
 * sync_gen before it takes the object's lock.  A user of a cached object locks it and
 * then checks that sync_gen has not moved since it filled the cache entry: if a destroy
 * got the lock first, its bump is visible through the lock; if the user got it first,
 * the destroy waits until the user is done with the object.
 *
 * Stamps: most edges are taken again and again by the goroutine that made them last (a
 * goroutine that adds to a counter, or locks a mutex, many times in a row).  An object
 * whose clock is exactly its last releaser's, apart from that goroutine's own entry,
 * keeps the releaser's stamp (rel_stamp); a goroutine's stamp changes whenever an entry
 * of its clock other than its own may have (race_restamp).  While the two match, the
 * object knows nothing the goroutine does not: an acquire is a no-op and a merging
 * release only raises the goroutine's own entry.
 *
 * Lifetime: an object lives until its memory is reused: freed heap memory and reused
 * stacks forget it through the granule's SHADOW_META_SYNC meta bit (shadow_reset).  An
 * object that a goroutine creates on its own stack (a mutex in a local variable) is
 * instead listed in its race_gs and forgotten when it exits: setting the bit would touch,
 * for each of a million goroutines, a page of meta bytes (one per 32 KB of stack).
 */
#define _GNU_SOURCE
#include "detector.h"

#include <stddef.h>
#include <string.h>

/* The table is keyed by one address: a multiplicative hash beats uthash's byte-wise
 * default on the atomics' path. */
#define HASH_FUNCTION(keyptr, keylen, hashv)                                              \
    do {                                                                                  \
        uint64_t k_;                                                                      \
        memcpy(&k_, (keyptr), sizeof k_);                                                 \
        (hashv) = (unsigned)((k_ * 0x9e3779b97f4a7c15ull) >> 32);                         \
    } while (0)
#define uthash_malloc(sz) race_malloc(sz)
#define uthash_free(ptr, sz) race_free(ptr)
#define uthash_fatal(msg) rt_throw("race detector: %s", msg)
#include <uthash.h>

typedef struct race_sync {
    uint32_t lock;                /* first: survives destroy and reuse (sync_reuse) */
    bool on_stack;                /* listed: shadow_reset leaves it to race_go_end */
    uint64_t rel_stamp;           /* vc is this stamp's clock but for its own entry; 0: no */
    uintptr_t addr;
    vclock vc;
    struct race_sync *next;       /* the owner's stack_syncs list, or the free list */
    UT_hash_handle hh;
} race_sync;

static race_sync *sync_table, *sync_free_list;
static uint32_t sync_lock;
static uint64_t sync_gen; /* destroys so far; written under sync_lock */

#define SYNC_CACHE 8
typedef struct sync_cached {
    uintptr_t addr;
    race_sync *s;
    uint64_t gen;
} sync_cached;
static __thread sync_cached sync_cache[SYNC_CACHE] __attribute__((tls_model("initial-exec")));

/* Remember where s lives so that it is forgotten with its memory. */
static void sync_track(race_sync *s)
{
    rt_g *g = rt_curg;
    race_gs *gs = g ? g->race : NULL;
    if (gs && g->stack_lo && s->addr >= (uintptr_t)g->stack_lo && s->addr < (uintptr_t)g->stack_hi) {
        s->on_stack = true;
        s->next = gs->stack_syncs;
        gs->stack_syncs = s;
        return;
    }
    shadow_mark_sync(s->addr); /* so freeing this memory forgets the object (shadow_reset) */
}

/* A fresh object for addr (sync_lock held).  A reused one keeps its lock word: a thread
 * holding a stale pointer may be spinning on it. */
static race_sync *sync_new(uintptr_t addr)
{
    race_sync *s = sync_free_list;
    if (s)
        sync_free_list = s->next;
    else {
        s = race_malloc_lines(sizeof *s); /* a line of its own: its lock bounces alone */
        s->lock = 0;
    }
    memset((char *)s + offsetof(race_sync, on_stack), 0,
           sizeof *s - offsetof(race_sync, on_stack));
    s->addr = addr;
    HASH_ADD(hh, sync_table, addr, sizeof s->addr, s);
    sync_track(s);
    return s;
}

/* The object's memory died (sync_lock held). */
static void sync_destroy(race_sync *s)
{
    __atomic_store_n(&sync_gen, sync_gen + 1, __ATOMIC_RELEASE); /* before the lock: file comment */
    rt_lock(&s->lock);
    HASH_DEL(sync_table, s);
    vc_free(&s->vc);
    s->addr = 0;
    rt_unlock(&s->lock);
    s->next = sync_free_list;
    sync_free_list = s;
}

void race_sync_forget_stack(race_gs *gs)
{
    rt_lock(&sync_lock);
    for (race_sync *s = gs->stack_syncs, *next; s; s = next) {
        next = s->next;
        sync_destroy(s);
    }
    gs->stack_syncs = NULL;
    rt_unlock(&sync_lock);
}

void race_sync_forget_granule(uintptr_t ga)
{
    rt_lock(&sync_lock);
    for (uintptr_t a = ga; a < ga + 8; a++) {
        race_sync *s;
        HASH_FIND(hh, sync_table, &a, sizeof a, s);
        if (s && !s->on_stack)
            sync_destroy(s);
    }
    rt_unlock(&sync_lock);
}

static __attribute__((noinline)) race_sync *sync_get_slow(sync_cached *c, uintptr_t addr, bool create)
{
    rt_lock(&sync_lock);
    race_sync *s;
    HASH_FIND(hh, sync_table, &addr, sizeof addr, s);
    if (!s && create)
        s = sync_new(addr);
    if (s) {
        rt_lock(&s->lock);
        *c = (sync_cached){addr, s, sync_gen};
    }
    rt_unlock(&sync_lock);
    return s;
}

/* The object at addr, locked (NULL if there is none and !create). */
static inline race_sync *sync_get(uintptr_t addr, bool create)
{
    sync_cached *c = &sync_cache[(addr >> 3) % SYNC_CACHE];
    if (c->addr == addr) {
        race_sync *s = c->s;
        rt_lock(&s->lock);
        if (RT_LIKELY(__atomic_load_n(&sync_gen, __ATOMIC_ACQUIRE) == c->gen))
            return s;
        rt_unlock(&s->lock);
    }
    return sync_get_slow(c, addr, create);
}

/* Stamps come from a per-thread counter under a per-thread tag: unique, never 0, and no
 * line shared between threads. */
static __thread uint64_t stamp_next __attribute__((tls_model("initial-exec")));
static uint64_t stamp_tags;
#define STAMP_SEQ_BITS 40

void race_restamp(race_gs *gs)
{
    if (RT_UNLIKELY((stamp_next & ((1ull << STAMP_SEQ_BITS) - 1)) == 0))
        stamp_next = __atomic_add_fetch(&stamp_tags, 1, __ATOMIC_RELAXED) << STAMP_SEQ_BITS;
    gs->stamp = ++stamp_next;
}

/* Acquire s (locked) into gs. */
static inline void sync_acquire_locked(race_gs *gs, race_sync *s)
{
    if (s->rel_stamp == gs->stamp || vc_empty(&s->vc))
        return;
    vc_join(&gs->vc, &s->vc);
    race_restamp(gs);
}

/* Release gs into s (locked): merge joins, else copies.  covers: gs's clock is known to
 * be at least s's (it acquired s in this operation). */
static inline void sync_release_locked(race_gs *gs, race_sync *s, bool merge, bool covers)
{
    if (merge && s->rel_stamp == gs->stamp) {
        vc_set(&s->vc, gs->slot, gs->clk);
        return;
    }
    if (merge && !covers) {
        vc_join(&s->vc, &gs->vc);
        s->rel_stamp = 0;
        return;
    }
    vc_copy(&s->vc, &gs->vc);
    s->rel_stamp = gs->stamp;
}

void race_sync_acquire(race_gs *gs, uintptr_t addr)
{
    race_flush(gs);
    race_sync *s = sync_get(addr, false);
    if (!s)
        return;
    sync_acquire_locked(gs, s);
    rt_unlock(&s->lock);
}

void race_sync_release(race_gs *gs, uintptr_t addr, bool merge)
{
    race_flush(gs);
    race_sync *s = sync_get(addr, true);
    sync_release_locked(gs, s, merge, false);
    rt_unlock(&s->lock);
    race_tick(gs);
}

/* gs's fence clocks, made on first use: few goroutines use relaxed atomics or fences. */
static race_fences *sync_fences(race_gs *gs)
{
    return &race_rare_of(gs)->fences;
}

/* Atomics (tsan_abi.c, runtime/atomic.c).  Relaxed operations create no edge by
 * themselves but feed C11 fences: a relaxed read remembers the clock it observed for a
 * later acquire fence, a relaxed write after a release fence publishes the fence's
 * snapshot. */
/* The object of the atomic in progress on this thread, locked from begin to end so that
 * its value and clock change together. */
static __thread race_sync *atomic_sync __attribute__((tls_model("initial-exec")));

/* Does op acquire: observe a value with acquire order? */
static inline bool at_acquires(unsigned op)
{
    return (op & (RACE_AT_READS | RACE_AT_ACQ)) == (RACE_AT_READS | RACE_AT_ACQ);
}

race_gs *race_atomic_begin(uintptr_t addr, unsigned size, uintptr_t pc, unsigned op)
{
    race_gs *gs = race_cur();
    if (!gs)
        return gs;
    race_flush(gs);
    race_access(addr, size, ((op & RACE_AT_WRITES) ? RACE_WRITE : RACE_READ) | RACE_ATOMIC, pc);
    gs = race_cur();
    /* A read makes the object too: its lock orders the read after any write that
     * publishes, as the caller performs the read only after this returns. */
    race_sync *s = atomic_sync = sync_get(addr, true);
    if (at_acquires(op))
        sync_acquire_locked(gs, s);
    else if ((op & RACE_AT_READS) && !vc_empty(&s->vc))
        vc_join(&sync_fences(gs)->acq, &s->vc);
    return gs;
}

void race_atomic_end(race_gs *gs, unsigned op)
{
    if (!gs)
        return;
    race_sync *s = atomic_sync;
    bool rel = (op & RACE_AT_REL) && (op & RACE_AT_WRITES);
    if (rel) {
        sync_release_locked(gs, s, (op & RACE_AT_MERGE) != 0, at_acquires(op));
    } else if ((op & RACE_AT_WRITES) && gs->rare && gs->rare->fences.has_rel) {
        /* a relaxed write after a release fence publishes the fence's snapshot */
        if (op & RACE_AT_MERGE)
            vc_join(&s->vc, &gs->rare->fences.rel);
        else
            vc_copy(&s->vc, &gs->rare->fences.rel);
        s->rel_stamp = 0;
    }
    rt_unlock(&s->lock);
    if (rel)
        race_tick(gs);
}

void race_fence(bool acq, bool rel)
{
    race_gs *gs = race_cur();
    if (!gs)
        return;
    race_flush(gs);
    race_fences *f = sync_fences(gs);
    if (acq) {
        vc_join(&gs->vc, &f->acq);
        race_restamp(gs);
    }
    if (rel) {
        vc_copy(&f->rel, &gs->vc);
        f->has_rel = true;
        race_tick(gs);
    }
}

/* runtime/atomic.c's hooks (race.h): goroutine.h atomics are seq-cst Go atomics. */
void *race_atomic_enter_slow(const void *addr, size_t size, bool write, bool acquire,
                             uintptr_t pc)
{
    unsigned op = write ? RACE_AT_WRITES | RACE_AT_REL : RACE_AT_READS | RACE_AT_ACQ;
    if (write && acquire)
        op |= RACE_AT_READS | RACE_AT_ACQ | RACE_AT_MERGE;
    return race_atomic_begin((uintptr_t)addr, (unsigned)size, pc, op);
}

void race_atomic_leave_slow(void *cookie, bool release, bool merge)
{
    unsigned op = RACE_AT_WRITES | (release ? RACE_AT_REL : 0) | (merge ? RACE_AT_MERGE : 0);
    race_atomic_end(cookie, release ? op : 0);
}
