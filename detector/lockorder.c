/*
 * lockorder.c - potential deadlocks: the lock-order graph (ThreadSanitizer's
 * "lock-order-inversion").  A goroutine that takes mutex B while it holds mutex A adds
 * the edge A -> B; an edge that closes a cycle (B -> ... -> A already known) is a
 * deadlock waiting for the right schedule, and is reported even when this run did not
 * deadlock.  Mutexes are goroutine.h's mutex_t and rwmutex_t write locks, and so every
 * pthread mutex and write lock (runtime/pthread.c); read locks, spin locks and
 * semaphores are not followed.
 *
 * A cycle is reported only when it could deadlock:
 *   - its edges come from at least two goroutines (one goroutine cannot wait for itself
 *     in two places at once);
 *   - no gate lock: when one lock was held around every edge of the cycle, the orders
 *     can never run at the same time (TSan reports those; Helgrind does not).
 * A trylock never waits, so it adds no edge, but the lock it takes counts as held.
 * Not followed: a mutex unlocked by another goroutine than the one that locked it (Go
 * allows that) stays in its locker's held set, whose later locks then add edges from it.
 * An edge keeps the goroutine that made it first: a cycle first closed inside one
 * goroutine is not reported when another goroutine later repeats one of its edges.
 *
 * Memory: the held locks of a goroutine in its race_rare (lazily, small); the graph keyed
 * by mutex address, forgotten when the mutex's memory is freed or its stack reused
 * (race_lock_forget), so a new mutex at an old address starts with no edges.
 * Locking: lo.lock guards the graph; a goroutine's held set is its own.
 */
#include "detector.h"

/* the table's own memory bypasses the heap wrappers: a free there would come back to
 * race_lock_forget, and lo.lock is held */
#define uthash_malloc(sz) race_malloc(sz)
#define uthash_free(ptr, sz) race_free(ptr)
#include <uthash.h>

#define LO_MAX_PATH 16  /* longest cycle searched for */

typedef struct race_held_ent lo_held_ent;

typedef struct lo_node {
    uintptr_t mu;
    race_lock_edge *e;
    uint32_t n, cap;
    uint64_t mark;     /* the search that last visited it */
    UT_hash_handle hh;
} lo_node;

static struct {
    uint32_t lock;
    lo_node *graph;
    uint64_t search;
    uintptr_t lo, hi;  /* bounds of every mutex in the graph: most frees miss them */
} lo;

static lo_node *lo_node_of(uintptr_t mu, bool create)
{
    lo_node *n;
    HASH_FIND(hh, lo.graph, &mu, sizeof mu, n);
    if (!n && create) {
        n = race_malloc(sizeof *n);
        *n = (lo_node){.mu = mu};
        HASH_ADD(hh, lo.graph, mu, sizeof n->mu, n);
        if (!lo.lo || mu < lo.lo) /* read unlocked by race_lock_forget */
            __atomic_store_n(&lo.lo, mu, __ATOMIC_RELAXED);
        if (mu >= lo.hi)
            __atomic_store_n(&lo.hi, mu + 1, __ATOMIC_RELAXED);
    }
    return n;
}

static race_lock_edge *lo_edge_of(lo_node *from, uintptr_t to)
{
    for (uint32_t i = 0; i < from->n; i++)
        if (from->e[i].to == to)
            return &from->e[i];
    return NULL;
}

/* A path from `at` to `goal` through edges, found depth first; its edges into path[]. */
static int lo_path(uintptr_t at, uintptr_t goal, race_lock_edge **path, int depth)
{
    if (depth >= LO_MAX_PATH)
        return 0;
    lo_node *n = lo_node_of(at, false);
    if (!n || n->mark == lo.search)
        return 0;
    n->mark = lo.search;
    for (uint32_t i = 0; i < n->n; i++) {
        path[depth] = &n->e[i];
        if (n->e[i].to == goal)
            return depth + 1;
        int len = lo_path(n->e[i].to, goal, path, depth + 1);
        if (len)
            return len;
    }
    return 0;
}

static bool lo_guarded(race_lock_edge *const *cycle, int len)
{
    for (int g = 0; g < cycle[0]->nguard; g++) {
        uintptr_t gate = cycle[0]->guard[g];
        bool all = true;
        for (int k = 1; k < len && all; k++) {
            all = false;
            for (int j = 0; j < cycle[k]->nguard; j++)
                all |= cycle[k]->guard[j] == gate;
        }
        if (all)
            return true;
    }
    return false;
}

static bool lo_two_goroutines(race_lock_edge *const *cycle, int len)
{
    for (int k = 1; k < len; k++)
        if (cycle[k]->who != cycle[0]->who)
            return true;
    return false;
}

/* Under lo.lock: add from -> to, taken by gs at stk while held[] (from at stk_from among
 * them) were held; a cycle it closes goes to cycle[] (returns its length, else 0). */
static int lo_add_edge(race_gs *gs, const race_held *h, const lo_held_ent *from, uintptr_t to,
                       uint32_t stk, race_lock_edge **cycle)
{
    lo_node *n = lo_node_of(from->mu, true);
    if (lo_edge_of(n, to))
        return 0;
    if (n->n == n->cap) {
        n->cap = n->cap ? 2 * n->cap : 4;
        n->e = race_realloc(n->e, n->cap * sizeof *n->e);
    }
    race_lock_edge *e = &n->e[n->n++];
    *e = (race_lock_edge){.from = from->mu, .to = to, .stk_from = from->stk, .stk_to = stk,
                          .who = gs->info};
    for (uint32_t i = 0; i < h->n && e->nguard < RACE_LOCK_GUARDS; i++)
        if (h->v[i].mu != from->mu && h->v[i].mu != to)
            e->guard[e->nguard++] = h->v[i].mu;
    lo_node_of(to, true); /* adds a node, moves no edge */
    lo.search++;
    int len = lo_path(to, from->mu, cycle + 1, 0);
    if (!len)
        return 0;
    cycle[0] = e;
    len++;
    return lo_two_goroutines(cycle, len) && !lo_guarded(cycle, len) ? len : 0;
}

void race_lock_slow(const void *mu, uintptr_t callpc, const void *op, bool try_)
{
    race_gs *gs = race_cur();
    if (!gs)
        return;
    race_held *h = &race_rare_of(gs)->held;
    uint32_t stk = race_op_stack_id(gs, callpc, (uintptr_t)op);
    race_lock_edge *cycle[LO_MAX_PATH + 1], copy[LO_MAX_PATH + 1];
    int len = 0;
    if (!try_ && h->n) {
        rt_lock(&lo.lock);
        for (uint32_t i = 0; i < h->n && !len; i++)
            if (h->v[i].mu != (uintptr_t)mu)
                len = lo_add_edge(gs, h, &h->v[i], (uintptr_t)mu, stk, cycle);
        for (int k = 0; k < len; k++)
            copy[k] = *cycle[k];
        rt_unlock(&lo.lock);
    }
    if (len) /* unlocked: reporting allocates, and a free comes back here */
        race_report_lock_cycle(copy, len);
    if (h->n == h->cap) {
        h->cap = h->cap ? 2 * h->cap : 4;
        h->v = race_realloc(h->v, h->cap * sizeof *h->v);
    }
    h->v[h->n++] = (lo_held_ent){(uintptr_t)mu, stk};
}

void race_unlock_slow(const void *mu)
{
    race_gs *gs = race_cur();
    race_held *h = gs && gs->rare ? &gs->rare->held : NULL;
    if (!h)
        return;
    for (uint32_t i = h->n; i-- > 0;) {
        if (h->v[i].mu == (uintptr_t)mu) {
            h->v[i] = h->v[--h->n];
            return;
        }
    }
}

void race_lock_forget(uintptr_t a, uintptr_t b)
{
    if (b <= __atomic_load_n(&lo.lo, __ATOMIC_RELAXED) || a >= __atomic_load_n(&lo.hi, __ATOMIC_RELAXED))
        return;
    rt_lock(&lo.lock);
    lo_node *n, *tmp;
    HASH_ITER(hh, lo.graph, n, tmp) {
        for (uint32_t i = 0; i < n->n;)
            if (n->e[i].to >= a && n->e[i].to < b)
                n->e[i] = n->e[--n->n];
            else
                i++;
        if (n->mu >= a && n->mu < b) {
            HASH_DEL(lo.graph, n);
            race_free(n->e);
            race_free(n);
        }
    }
    rt_unlock(&lo.lock);
}
