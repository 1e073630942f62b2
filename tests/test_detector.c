/*
 * Detector suite: the fast shadow (FastTrack epochs, four cells per granule, overflow)
 * against a slow, plainly correct reference on random access traces.
 *
 * The reference keeps, for every byte, every access ever made with the full vector clock
 * of its goroutine at that moment; an access races with an earlier one iff they conflict
 * (one writes, not both atomic) and the earlier clock is not <= the current one.  The
 * fast path must flag exactly the same accesses as racy, on every byte that has not yet
 * been part of a race (after a race FastTrack may forget, like every detector), and must
 * never flag an access the reference finds race-free.
 */
#define TU_IMPLEMENTATION
#include "testutil.h"

#include <string.h>

#include "../detector/shadow.h"

enum { NACT = 9, NLOCK = 3, MEM = 48, MAXREC = 4096 };

typedef struct ref_access {
    uint32_t vc[NACT];
    uint64_t kind;
} ref_access;

static struct {
    uint32_t vc[NACT][NACT];      /* dense clocks: the reference's truth */
    uint32_t lock[NLOCK][NACT];
    ref_access *hist[MEM];        /* every access per byte */
    int nhist[MEM];
    bool raced[MEM];
} R;

static _Alignas(64) char mem[MEM];
static vclock fast_vc[NACT];      /* the same clocks, sparse, for the fast path */
static shadow_hbc fast_hbc[NACT]; /* each actor's hb lower-bound cache, as race_gs has */

static void sync_fast(int a)
{
    vc_free(&fast_vc[a]);
    for (uint32_t s = 0; s < NACT; s++)
        if (R.vc[a][s])
            vc_set(&fast_vc[a], s, R.vc[a][s]);
}

static bool ref_hb(const uint32_t *x, const uint32_t *y)
{
    for (int i = 0; i < NACT; i++)
        if (x[i] > y[i])
            return false;
    return true;
}

/* Reference: is the access racy?  Records it. */
static bool ref_access_do(int a, unsigned off, unsigned size, uint64_t kind)
{
    bool racy = false;
    for (unsigned b = off; b < off + size; b++) {
        for (int i = 0; i < R.nhist[b]; i++) {
            ref_access *x = &R.hist[b][i];
            bool conflict = ((x->kind | kind) & CELL_WRITE) && !(x->kind & kind & CELL_ATOMIC);
            if (conflict && !ref_hb(x->vc, R.vc[a]))
                racy = true;
        }
    }
    for (unsigned b = off; b < off + size; b++) {
        ck_assert_int_lt(R.nhist[b], MAXREC);
        ref_access *x = &R.hist[b][R.nhist[b]++];
        memcpy(x->vc, R.vc[a], sizeof x->vc);
        x->kind = kind;
    }
    return racy;
}

/* Fast path: the hot path's check, then the slow path per granule. */
static bool fast_access_do(int a, unsigned off, unsigned size, uint64_t kind)
{
    bool racy = false;
    shadow_actor who = {(uint32_t)a, &fast_vc[a], &fast_hbc[a]};
    for (unsigned p = off; p < off + size;) {
        unsigned gend = (p & ~7u) + 8 < off + size ? (p & ~7u) + 8 : off + size;
        unsigned mask = ((1u << (gend - p)) - 1) << (p & 7);
        uintptr_t addr = (uintptr_t)mem + p;
        shadow_granule *g = shadow_map_slow(addr);
        uint64_t c = cell_make((uint32_t)a, R.vc[a][a], mask, kind);
        if (!shadow_covers(g, c)) {
            shadow_hit hits[4];
            racy |= shadow_update(g, c, 7, &who, hits, 4) > 0;
        }
        p = gend;
    }
    return racy;
}

static void trace_reset(void)
{
    for (int b = 0; b < MEM; b++) {
        R.nhist[b] = 0;
        R.raced[b] = false;
    }
    memset(R.vc, 0, sizeof R.vc);
    memset(fast_hbc, 0, sizeof fast_hbc); /* clocks restart: the lower bounds too */
    memset(R.lock, 0, sizeof R.lock);
    for (int a = 0; a < NACT; a++) {
        R.vc[a][a] = 1;
        sync_fast(a);
    }
    shadow_reset((uintptr_t)mem, (uintptr_t)mem + MEM);
}

static const unsigned sizes[] = {1, 2, 4, 8, 3, 16};

/* One random trace of n operations; returns how many racy accesses it compared. */
static int run_trace(unsigned seed, int n, int hot_bytes)
{
    srand(seed);
    trace_reset();
    int compared_racy = 0;
    for (int step = 0; step < n; step++) {
        int a = rand() % NACT, r = rand() % 100;
        if (r < 12) { /* release on a lock: store or merge, then tick */
            int l = rand() % NLOCK;
            if (rand() % 2)
                memcpy(R.lock[l], R.vc[a], sizeof R.lock[l]);
            else
                for (int i = 0; i < NACT; i++)
                    if (R.vc[a][i] > R.lock[l][i])
                        R.lock[l][i] = R.vc[a][i];
            R.vc[a][a]++;
            sync_fast(a);
            continue;
        }
        if (r < 24) { /* acquire */
            int l = rand() % NLOCK;
            for (int i = 0; i < NACT; i++)
                if (R.lock[l][i] > R.vc[a][i])
                    R.vc[a][i] = R.lock[l][i];
            sync_fast(a);
            continue;
        }
        unsigned size = sizes[rand() % (sizeof sizes / sizeof *sizes)];
        unsigned off = (unsigned)(rand() % (hot_bytes - (int)size + 1));
        uint64_t kind = (rand() % 3 == 0 ? CELL_WRITE : 0) | (rand() % 5 == 0 ? CELL_ATOMIC : 0);
        bool fresh = true;
        for (unsigned b = off; b < off + size; b++)
            fresh &= !R.raced[b];
        bool want = ref_access_do(a, off, size, kind);
        bool got = fast_access_do(a, off, size, kind);
        if (fresh) {
            if (got != want)
                ck_abort_msg("seed %u step %d: actor %d %s%s [%u,+%u): fast says %d, reference %d",
                             seed, step, a, kind & CELL_ATOMIC ? "atomic " : "",
                             kind & CELL_WRITE ? "write" : "read", off, size, got, want);
            compared_racy += want;
        } else if (got && !want) {
            ck_abort_msg("seed %u step %d: false race after an earlier race", seed, step);
        }
        if (want)
            for (unsigned b = off; b < off + size; b++)
                R.raced[b] = true;
    }
    return compared_racy;
}

static void hist_alloc(void)
{
    for (int b = 0; b < MEM; b++)
        if (!R.hist[b])
            R.hist[b] = malloc(MAXREC * sizeof(ref_access));
}

/* Dense traffic on a few granules: many races, mixed sizes, overflow cells. */
START_TEST(random_traces_dense)
{
    hist_alloc();
    int racy = 0;
    for (unsigned seed = 1; seed <= 300; seed++)
        racy += run_trace(seed, 120, 16);
    ck_assert_int_gt(racy, 100); /* the traces do exercise races */
}
END_TEST

/* Mostly synchronised traffic over more memory: long race-free stretches. */
START_TEST(random_traces_sparse)
{
    hist_alloc();
    for (unsigned seed = 1000; seed < 1200; seed++)
        run_trace(seed, 400, MEM);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("detector");
    TCase *tc = tu_tcase(s, "detector", 120);
    tcase_add_test(tc, random_traces_dense);
    tcase_add_test(tc, random_traces_sparse);
    return tu_run(s);
}
