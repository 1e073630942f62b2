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
 *
 * Two fast paths are compared: the shadow's general update alone (random_traces_*), and
 * the real entry points the compiler calls, __tsan_read4 and friends, with everything in
 * front of the shadow: the inline check, the held-back read and its fusion with the next
 * write, both memos, the quick update, ranges and atomics, and sync objects for the
 * edges (hot_path_*).  Those run as fake goroutines on this thread: rt_curg is switched
 * by hand, with race_switch_out at every switch as the scheduler does.
 */
#define TU_IMPLEMENTATION
#include "testutil.h"

#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../detector/detector.h"

enum { NACT = 9, NLOCK = 3, MEM = 256, MAXREC = 4096 };

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
        if (R.nhist[b] >= MAXREC) /* not ck_assert: in a fork, each one is a write to a file */
            ck_abort_msg("byte %u: history full", b);
        ref_access *x = &R.hist[b][R.nhist[b]++];
        memcpy(x->vc, R.vc[a], sizeof x->vc);
        x->kind = kind;
    }
    return racy;
}

/* The reference's verdict on an access, taken in trace order (it is recorded); *fresh:
 * none of its bytes had raced before. */
static bool ref_take(int a, unsigned off, unsigned size, uint64_t kind, bool *fresh)
{
    *fresh = true;
    for (unsigned b = off; b < off + size; b++)
        *fresh &= !R.raced[b];
    bool want = ref_access_do(a, off, size, kind);
    if (want)
        for (unsigned b = off; b < off + size; b++)
            R.raced[b] = true;
    return want;
}

/* The fast path's verdict got against the reference's want: the same on fresh bytes,
 * never a race the reference does not see after.  1 for a compared racy access. */
static int ref_judge(unsigned seed, int step, int a, unsigned off, unsigned size, uint64_t kind,
                     bool fresh, bool got, bool want)
{
    if (fresh && got != want)
        ck_abort_msg("seed %u step %d: actor %d %s%s [%u,+%u): fast says %d, reference %d", seed,
                     step, a, kind & CELL_ATOMIC ? "atomic " : "", kind & CELL_WRITE ? "write" : "read",
                     off, size, got, want);
    if (!fresh && got && !want)
        ck_abort_msg("seed %u step %d: false race after an earlier race", seed, step);
    return fresh && want;
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
        bool fresh, want = ref_take(a, off, size, kind, &fresh);
        bool got = fast_access_do(a, off, size, kind);
        compared_racy += ref_judge(seed, step, a, off, size, kind, fresh, got, want);
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
        run_trace(seed, 400, 48);
}
END_TEST

/* ---- the real hot path against the reference ---------------------------------------------- */

void __tsan_read1(void *), __tsan_read2(void *), __tsan_read4(void *), __tsan_read8(void *);
void __tsan_write1(void *), __tsan_write2(void *), __tsan_write4(void *), __tsan_write8(void *);
void __tsan_read16(void *), __tsan_write16(void *);
void __tsan_read_range(void *, unsigned long), __tsan_write_range(void *, unsigned long);
void __tsan_read1_pc(void *, void *), __tsan_read2_pc(void *, void *);
void __tsan_read4_pc(void *, void *), __tsan_read8_pc(void *, void *);
void __tsan_write1_pc(void *, void *), __tsan_write2_pc(void *, void *);
void __tsan_write4_pc(void *, void *), __tsan_write8_pc(void *, void *);
void __tsan_read16_pc(void *, void *), __tsan_write16_pc(void *, void *);
void __tsan_read_range_pc(void *, unsigned long, void *);
void __tsan_write_range_pc(void *, unsigned long, void *);
uint8_t __tsan_atomic8_load(const volatile uint8_t *, int);
uint16_t __tsan_atomic16_load(const volatile uint16_t *, int);
uint32_t __tsan_atomic32_load(const volatile uint32_t *, int);
uint64_t __tsan_atomic64_load(const volatile uint64_t *, int);
void __tsan_atomic8_store(volatile uint8_t *, uint8_t, int);
void __tsan_atomic16_store(volatile uint16_t *, uint16_t, int);
void __tsan_atomic32_store(volatile uint32_t *, uint32_t, int);
void __tsan_atomic64_store(volatile uint64_t *, uint64_t, int);

enum { MAXSTEP = 8192, RELAXED = 0 };

/* One access of a hot trace: who, which bytes, what kind, at which epoch; the
 * reference's verdict, and the fast path's, which may come a step late (a held-back
 * read is applied at its goroutine's next step or switch). */
typedef struct hot_step {
    int actor;
    unsigned off, size;
    uint64_t kind, epoch;
    void *pc;           /* a fake pc, distinct from the actor's 1,023 accesses before */
    bool want, fresh, got;
} hot_step;

static struct {
    rt_g g[NACT];
    hot_step st[MAXSTEP];
    int n;
    int nthr;           /* threads the actors run on: this one, or this one and HT's */
    int cur[2];         /* actor running on each thread (its rt_curg), -1 for none */
    int loc[NACT];      /* thread an actor is current on, -1 for none */
    int pend[NACT];     /* step whose read the actor may hold back, -1 for none */
    int pend2[NACT];    /* a second one after it (two 16-byte reads), -1 for none */
    unsigned seq[NACT]; /* accesses per actor, for their pcs */
    int cand[3];        /* steps a report may belong to during the current call */
} H;
static _Alignas(64) char hot_locks[NLOCK * 8];

static race_gs *hot_gs(int a) { return H.g[a].race; }

/* The cell step k makes in the granule holding addr. */
static uint64_t hot_cell(const hot_step *k, uintptr_t addr)
{
    uintptr_t lo = (uintptr_t)mem + k->off, hi = lo + k->size, g = addr & ~7ull;
    unsigned mask = 0;
    for (uintptr_t b = g; b < g + 8; b++)
        if (b >= lo && b < hi)
            mask |= 1u << (b - g);
    return k->epoch | k->kind | (uint64_t)mask << CELL_MASK_SHIFT;
}

/* race_report_hook: the race belongs to whichever candidate step made cell a (the held
 * back read first: a current access equal to it would have been covered by it). */
static void hot_hook(uintptr_t addr, uint64_t a, const shadow_hit *hit)
{
    (void)hit;
    for (int i = 0; i < 3; i++) {
        int k = H.cand[i];
        if (k >= 0 && hot_cell(&H.st[k], addr) == a) {
            H.st[k].got = true;
            return;
        }
    }
    ck_abort_msg("a race on %p by cell %#llx that no candidate step made", (void *)addr,
                 (unsigned long long)a);
}

/* Perform access k through the entry point the compiler would call. */
static void hot_call(const hot_step *k)
{
    void *p = mem + k->off;
    bool w = (k->kind & CELL_WRITE) != 0;
    if (k->kind & CELL_ATOMIC) {
        switch (k->size) {
        case 1: w ? __tsan_atomic8_store(p, 1, RELAXED) : (void)__tsan_atomic8_load(p, RELAXED); break;
        case 2: w ? __tsan_atomic16_store(p, 1, RELAXED) : (void)__tsan_atomic16_load(p, RELAXED); break;
        case 4: w ? __tsan_atomic32_store(p, 1, RELAXED) : (void)__tsan_atomic32_load(p, RELAXED); break;
        default: w ? __tsan_atomic64_store(p, 1, RELAXED) : (void)__tsan_atomic64_load(p, RELAXED); break;
        }
        return;
    }
    void *pc = k->pc;
    switch (k->size) {
    case 1: w ? __tsan_write1_pc(p, pc) : __tsan_read1_pc(p, pc); break;
    case 2: w ? __tsan_write2_pc(p, pc) : __tsan_read2_pc(p, pc); break;
    case 4: w ? __tsan_write4_pc(p, pc) : __tsan_read4_pc(p, pc); break;
    case 8: w ? __tsan_write8_pc(p, pc) : __tsan_read8_pc(p, pc); break;
    case 16: w ? __tsan_write16_pc(p, pc) : __tsan_read16_pc(p, pc); break;
    default: w ? __tsan_write_range_pc(p, k->size, pc) : __tsan_read_range_pc(p, k->size, pc); break;
    }
}

/* The reference's verdict on step k, taken when the detector applies the access: a held
 * back read counts when it is applied or fused, which on two threads may come after
 * other threads' steps (the read's clock cannot change meanwhile: any edge applies it
 * first).  Either order of two racing accesses reports the race (a free in between
 * waits for the read: hot_path_free_waits_for_held_back_read). */
static void hot_ref(int i)
{
    hot_step *k = &H.st[i];
    k->want = ref_take(k->actor, k->off, k->size, k->kind, &k->fresh);
}

/* Would the inline check alone take access k (every granule's cells already stand for
 * it)?  Only then may an older held-back read stay held back across it; atomics and
 * ranges apply it first anyway. */
static bool hot_covered(const hot_step *k)
{
    uintptr_t lo = (uintptr_t)mem + k->off, hi = lo + k->size;
    bool one = (lo & ~7ull) == ((hi - 1) & ~7ull), pair = k->size == 16 && !(lo & 7);
    if ((k->kind & CELL_ATOMIC) || !(one || pair))
        return false;
    for (uintptr_t g = lo & ~7ull; g < hi; g += 8)
        if (!shadow_covers(shadow_map_slow(g), hot_cell(k, g)))
            return false;
    return true;
}

/* Is step i the read actor a's goroutine holds back now?  (Its pc tells it from a later
 * read of the same bytes, which would hold back the same cell.) */
static bool hot_pending(int a, int i)
{
    const race_pend *pd = &hot_gs(a)->pend;
    uintptr_t pc = i >= 0 ? (uintptr_t)H.st[i].pc : 0;
    return i >= 0 && pd->addr && (pd->pc == pc || (pd->pc2 && pd->pc2 == pc));
}

/* After a call for actor a: the read it held back before, if now applied, counts. */
static void hot_settle(int a)
{
    while (H.pend[a] >= 0 && !hot_pending(a, H.pend[a])) {
        hot_ref(H.pend[a]);
        H.pend[a] = H.pend2[a];
        H.pend2[a] = -1;
    }
}

/* What a thread does for a step: detector calls run on the thread the actor is on. */
typedef struct hot_job {
    enum { JOB_OUT, JOB_IN, JOB_CALL, JOB_REL, JOB_ACQ } what;
    int a, l;
    bool merge;
    const hot_step *k;
} hot_job;

static void hot_job_run(const hot_job *j)
{
    switch (j->what) {
    case JOB_OUT: race_switch_out_slow(&H.g[j->a]); break;
    case JOB_IN: rt_curg = &H.g[j->a]; break;
    case JOB_CALL: hot_call(j->k); break;
    case JOB_REL: race_sync_release(hot_gs(j->a), (uintptr_t)&hot_locks[j->l * 8], j->merge); break;
    case JOB_ACQ: race_sync_acquire(hot_gs(j->a), (uintptr_t)&hot_locks[j->l * 8]); break;
    }
}

/* The second thread takes one job at a time, in lock step with this one: the order of
 * the detector's calls stays the trace's, while its state moves between two threads
 * (region revocations, per-thread caches and memos seeing goroutines migrate). */
static struct {
    pthread_t th;
    hot_job job;
    int turn; /* 1: the helper runs job; 0: done */
} HT;

static void hot_wait(int want)
{
    for (unsigned spins = 0; __atomic_load_n(&HT.turn, __ATOMIC_ACQUIRE) != want; spins++)
        if (spins > 256)
            sched_yield();
}

static void *hot_helper(void *p)
{
    (void)p;
    for (;;) {
        hot_wait(1);
        hot_job_run(&HT.job);
        __atomic_store_n(&HT.turn, 0, __ATOMIC_RELEASE);
    }
    return NULL;
}

static void hot_on(int thr, hot_job j)
{
    if (thr == 0) {
        hot_job_run(&j);
        return;
    }
    HT.job = j;
    __atomic_store_n(&HT.turn, 1, __ATOMIC_RELEASE);
    hot_wait(0);
}

/* Switch actor a out of the thread it is current on, as the scheduler would. */
static void hot_out(int a)
{
    int t = H.loc[a];
    if (t < 0)
        return;
    H.cand[0] = H.pend[a], H.cand[1] = H.pend2[a], H.cand[2] = -1;
    hot_on(t, (hot_job){.what = JOB_OUT, .a = a});
    hot_settle(a);
    H.cur[t] = H.loc[a] = -1;
}

/* Make a the running actor of some thread (any, when there are two: goroutines migrate);
 * returns the thread. */
static int hot_switch(int a)
{
    int t = H.nthr > 1 ? rand() % H.nthr : 0;
    if (H.loc[a] == t)
        return t;
    hot_out(a);
    if (H.cur[t] >= 0)
        hot_out(H.cur[t]);
    hot_on(t, (hot_job){.what = JOB_IN, .a = a});
    H.cur[t] = a, H.loc[a] = t;
    return t;
}

static void hot_access(int a, unsigned off, unsigned size, uint64_t kind)
{
    if (H.n >= MAXSTEP)
        ck_abort_msg("trace too long");
    int t = hot_switch(a);
    int me = H.n++;
    hot_step *k = &H.st[me];
    void *pc = (void *)(uintptr_t)(0x10000 + (H.seq[a]++ % 1024) * 16);
    *k = (hot_step){a, off, size, kind, hot_gs(a)->epoch, pc, false, true, false};
    bool covered = hot_covered(k);
    H.cand[0] = H.pend[a], H.cand[1] = H.pend2[a], H.cand[2] = me;
    hot_on(t, (hot_job){.what = JOB_CALL, .k = k});
    if (hot_pending(a, H.pend[a]) && !covered && !hot_pending(a, me))
        ck_abort_msg("step %d: an access that missed went before the read held back at step %d",
                     me, H.pend[a]);
    hot_settle(a);
    if (!hot_pending(a, me))
        hot_ref(me);
    else if (H.pend[a] < 0)
        H.pend[a] = me;
    else
        H.pend2[a] = me;
}

static void hot_sync(int a, bool release, int l, bool merge)
{
    int t = hot_switch(a);
    H.cand[0] = H.pend[a], H.cand[1] = H.pend2[a], H.cand[2] = -1;
    hot_on(t, (hot_job){.what = release ? JOB_REL : JOB_ACQ, .a = a, .l = l, .merge = merge});
    hot_settle(a);
    if (release) {
        if (merge)
            for (int i = 0; i < NACT; i++)
                R.lock[l][i] = R.vc[a][i] > R.lock[l][i] ? R.vc[a][i] : R.lock[l][i];
        else
            memcpy(R.lock[l], R.vc[a], sizeof R.lock[l]);
        R.vc[a][a]++;
    } else {
        for (int i = 0; i < NACT; i++)
            if (R.lock[l][i] > R.vc[a][i])
                R.vc[a][i] = R.lock[l][i];
    }
}

/* An actor sweeps [off, off + len) the way array loops do: 4-byte x = f(x) (gcc), 16-byte
 * read then write (clang), 8-byte writes, 4-byte out[i] = g(in[i]) with `in` the first
 * half and `out` the second (a held-back read, then a write of other bytes), or clang's
 * unrolled form: two 16-byte reads, two writes. */
static void hot_sweep(int a, unsigned off, unsigned len, int how)
{
    if (how == 4) { /* clang's unrolled loop: two 16-byte reads, then both writes */
        for (unsigned p = off; p + 32 <= off + len; p += 32) {
            hot_access(a, p, 16, 0);
            hot_access(a, p + 16, 16, 0);
            hot_access(a, p, 16, CELL_WRITE);
            hot_access(a, p + 16, 16, CELL_WRITE);
        }
        return;
    }
    unsigned step = how == 1 ? 16 : how == 2 ? 8 : 4;
    unsigned end = how == 3 ? off + len / 2 : off + len, out = how == 3 ? len / 2 : 0;
    for (unsigned p = off; p + step <= end; p += step) {
        if (how != 2)
            hot_access(a, p, step, 0);
        hot_access(a, p + out, step, CELL_WRITE);
    }
}

/* Compare every step once all held-back reads are applied. */
static int hot_check(unsigned seed)
{
    for (int t = 0; t < 2; t++)
        if (H.cur[t] >= 0)
            hot_out(H.cur[t]);
    int racy = 0;
    for (int i = 0; i < H.n; i++) {
        const hot_step *k = &H.st[i];
        racy += ref_judge(seed, i, k->actor, k->off, k->size, k->kind, k->fresh, k->got, k->want);
    }
    return racy;
}

/* Actors, each a goroutine of its own to the detector, whose clocks start unrelated like
 * the reference's.  Their stacks lie above user space, so no access is a stack access. */
static void hot_setup(void)
{
    hist_alloc();
    memset(R.vc, 0, sizeof R.vc);
    memset(R.lock, 0, sizeof R.lock);
    for (int a = 0; a < NACT; a++)
        R.vc[a][a] = 1;
    race_init();
    race_report_hook = hot_hook;
    for (int a = 0; a < NACT; a++) {
        H.g[a].id = 100 + a;
        H.g[a].stack_lo = (char *)(UINTPTR_MAX - 0x2000);
        H.g[a].stack_hi = (char *)(UINTPTR_MAX - 0x1000);
        race_go_start_slow(NULL, &H.g[a]);
        H.pend[a] = H.pend2[a] = H.loc[a] = -1;
    }
    H.cur[0] = H.cur[1] = -1;
    H.nthr = 1;
}

/* One hot trace of n operations over the first `bytes` of mem, sweeps percent of them
 * sweeps, syncs percent edges, by the first nact actors; returns how many racy
 * accesses it compared.  The actors' clocks (and sync
 * objects) cannot restart, so the reference keeps its clocks across traces too: only the
 * access histories and the shadow start afresh. */
static int hot_trace(unsigned seed, int n, unsigned bytes, int sweeps, int nact, int syncs)
{
    srand(seed);
    for (int b = 0; b < MEM; b++)
        R.nhist[b] = 0, R.raced[b] = false;
    shadow_reset((uintptr_t)mem, (uintptr_t)mem + MEM);
    H.n = 0;
    for (int step = 0; step < n && H.n < MAXSTEP - 200; step++) {
        int a = rand() % nact, r = rand() % 100;
        if (r < syncs / 2) {
            hot_sync(a, true, rand() % NLOCK, rand() % 2);
        } else if (r < syncs) {
            hot_sync(a, false, rand() % NLOCK, false);
        } else if (r < syncs + sweeps) {
            unsigned len = 16 * (1 + (unsigned)rand() % (bytes / 16));
            unsigned off = 16 * ((unsigned)rand() % ((bytes - len) / 16 + 1));
            hot_sweep(a, off, len, rand() % 5);
        } else {
            unsigned size = sizes[rand() % (sizeof sizes / sizeof *sizes)];
            bool at = rand() % 6 == 0 && size <= 8 && size != 3;
            unsigned off = (unsigned)(rand() % (int)(bytes - size + 1));
            if (at)
                off &= ~(size - 1);
            hot_access(a, off, size, (rand() % 3 == 0 ? CELL_WRITE : 0) | (at ? CELL_ATOMIC : 0));
        }
    }
    return hot_check(seed);
}

/* count traces from seed on (hot_trace's other parameters); the racy accesses compared. */
static int hot_traces(unsigned seed, unsigned count, int n, unsigned bytes, int sweeps, int nact,
                      int syncs)
{
    int racy = 0;
    for (unsigned s = seed; s < seed + count; s++)
        racy += hot_trace(s, n, bytes, sweeps, nact, syncs);
    return racy;
}

/* Random single accesses of every kind and size, with edges, on a few granules. */
START_TEST(hot_path_dense)
{
    hot_setup();
    ck_assert_int_gt(hot_traces(1, 150, 120, 32, 0, NACT, 20), 100);
}
END_TEST

/* Array sweeps between the edges: the held-back read, its fusion and both memos. */
START_TEST(hot_path_sweeps)
{
    hot_setup();
    ck_assert_int_gt(hot_traces(500, 120, 60, MEM, 40, NACT, 20), 20);
}
END_TEST

/* Few goroutines trading few locks often: chains of edges through objects a goroutine
 * released last (sync.c's stamps), e.g. release l, acquire m, merge into l again. */
START_TEST(hot_path_chains)
{
    hot_setup();
    ck_assert_int_gt(hot_traces(2000, 400, 80, 16, 0, 3, 50), 20);
}
END_TEST

/* procs > 1 as one thread sees it: the shadow's regions owned (bias.h), and then
 * shared for good, where every change takes the granule lock and the memos stand aside;
 * or on two threads (hot_path_two_threads). */
static void hot_multi(bool shared, int nthr, unsigned seed)
{
    hot_setup();
    rt_multi = true;
    if (nthr > 1) {
        ck_assert_int_eq(pthread_create(&HT.th, NULL, hot_helper, NULL), 0);
        H.nthr = nthr;
    }
    if (shared && bias_available()) { /* without membarrier every region is shared anyway */
        shadow_granule *g = shadow_map_slow((uintptr_t)mem);
        uintptr_t lo = (uintptr_t)g >> BIAS_SHIFT, hi = ((uintptr_t)(g + MEM / 8) + SHADOW_FAR) >> BIAS_SHIFT;
        for (uintptr_t i = lo; i <= hi; i++)
            bias_tab[i].own = BIAS_SHARED;
    }
    ck_assert_int_gt(hot_traces(seed, 60, 60, MEM, 40, NACT, 20) + hot_traces(seed + 100, 100, 80, 16, 0, 3, 50),
                     20);
}

START_TEST(hot_path_owned_regions) { hot_multi(false, 1, 3000); }
END_TEST

/* Two threads in lock step, each step's actor on either: regions change owner
 * (membarrier revocations), and goroutines migrate between the per-thread caches. */
START_TEST(hot_path_two_threads) { hot_multi(false, 2, 4000); }
END_TEST

START_TEST(hot_path_shared_regions) { hot_multi(true, 1, 3000); }
END_TEST

/* A read held back on one thread, then a free of its bytes on another: the free waits
 * until the read is applied, so both races are seen (the read against the write before
 * the free, the free against the read).  The reader applies its read only once the free
 * waits (race_pend_wait_hook) or is over: without the wait the free would reset the
 * shadow first and lose them.  The free is what intercept.c's heap_forget does (this
 * binary is not linked with --wrap). */
static _Alignas(64) uint32_t fw_block[16];
static int fw_waiting, fw_freed, fw_reader_races;
static uint32_t fw_reader_slot;

static void fw_wait_hook(void) { __atomic_store_n(&fw_waiting, 1, __ATOMIC_RELEASE); }

static void fw_report(uintptr_t addr, uint64_t a, const shadow_hit *hit)
{
    (void)addr;
    if (cell_slot(a) == fw_reader_slot || cell_slot(hit->cell) == fw_reader_slot)
        __atomic_add_fetch(&fw_reader_races, 1, __ATOMIC_RELAXED);
}

/* Actor 1, on a thread of its own (an M): reads p (4 bytes, or held_pairs x 16), which it
 * holds back, until held_until() says to go on; then misses elsewhere, which applies the
 * read. */
static bool (*held_until)(void);
static int held_pairs; /* 16-byte reads, one after the other */

static void *held_back_reader(void *p)
{
    uint32_t other = 0;
    race_m_start_slow(); /* as a new M does */
    rt_curg = &H.g[1];
    if (!held_pairs) /* missed: held back, published */
        __tsan_read4_pc(p, (void *)0x20000);
    for (int i = 0; i < held_pairs; i++)
        __tsan_read16_pc((char *)p + 16 * i, (void *)(0x20000 + 4 * (uintptr_t)i));
    while (!held_until())
        sched_yield();
    __tsan_write4_pc(&other, (void *)0x20010); /* a miss: the read is applied first */
    race_switch_out_slow(&H.g[1]);
    return NULL;
}

static bool fw_until(void)
{
    return __atomic_load_n(&fw_waiting, __ATOMIC_ACQUIRE) || __atomic_load_n(&fw_freed, __ATOMIC_ACQUIRE);
}

/* The freed bytes start at `skip` into the held-back read (a 16-byte read's second
 * granule: the read's address itself lies below the free). */
static void fw_run(int pairs, unsigned skip)
{
    hot_setup();
    fw_waiting = fw_freed = fw_reader_races = 0;
    rt_multi = true;
    race_report_hook = fw_report;
    race_pend_wait_hook = fw_wait_hook;
    fw_reader_slot = hot_gs(1)->slot;
    rt_curg = &H.g[0];
    uintptr_t lo = (uintptr_t)fw_block + skip, hi = (uintptr_t)fw_block + sizeof fw_block;
    __tsan_write4_pc((void *)lo, (void *)0x20020); /* the write the reader races with */
    pthread_t th;
    held_until = fw_until;
    held_pairs = pairs;
    ck_assert_int_eq(pthread_create(&th, NULL, held_back_reader, fw_block), 0);
    while (!__atomic_load_n(&hot_gs(1)->pend.addr, __ATOMIC_ACQUIRE)) /* held back */
        sched_yield();
    race_flush(hot_gs(0));
    race_pend_wait(lo, hi);
    race_free_range(hot_gs(0), lo, hi - lo, 0x20030);
    shadow_reset(lo, hi);
    __atomic_store_n(&fw_freed, 1, __ATOMIC_RELEASE);
    pthread_join(th, NULL);
    ck_assert_int_ge(fw_reader_races, 2);
    ck_assert_int_eq(fw_waiting, 1);
}

START_TEST(hot_path_free_waits_for_held_back_read) { fw_run(0, 0); }
END_TEST

START_TEST(hot_path_free_waits_for_held_back_read16) { fw_run(1, 8); }
END_TEST

START_TEST(hot_path_free_waits_for_two_held_back_read16s) { fw_run(2, 24); }
END_TEST

/* In a forked child the other threads are gone, and so are the reads they held back: a
 * free there must not wait for them. */
static int fk_go;

static bool fk_until(void) { return __atomic_load_n(&fk_go, __ATOMIC_ACQUIRE); }

START_TEST(fork_child_forgets_other_threads_held_back_reads)
{
    hot_setup();
    rt_multi = true;
    race_pend_wait_hook = fw_wait_hook;
    uintptr_t lo = (uintptr_t)fw_block, hi = lo + sizeof fw_block;
    pthread_t th;
    held_until = fk_until;
    ck_assert_int_eq(pthread_create(&th, NULL, held_back_reader, fw_block), 0);
    while (!__atomic_load_n(&hot_gs(1)->pend.addr, __ATOMIC_ACQUIRE))
        sched_yield();
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        race_pend_wait(lo, hi);
        _exit(__atomic_load_n(&fw_waiting, __ATOMIC_ACQUIRE) ? 1 : 0);
    }
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    __atomic_store_n(&fk_go, 1, __ATOMIC_RELEASE);
    pthread_join(th, NULL);
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the child waited for a thread it does not have");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("detector");
    TCase *tc = tu_tcase(s, "detector", 120);
    tcase_add_test(tc, random_traces_dense);
    tcase_add_test(tc, random_traces_sparse);
    tcase_add_test(tc, hot_path_dense);
    tcase_add_test(tc, hot_path_sweeps);
    tcase_add_test(tc, hot_path_chains);
    tcase_add_test(tc, hot_path_owned_regions);
    tcase_add_test(tc, hot_path_two_threads);
    tcase_add_test(tc, hot_path_free_waits_for_held_back_read);
    tcase_add_test(tc, hot_path_free_waits_for_held_back_read16);
    tcase_add_test(tc, hot_path_free_waits_for_two_held_back_read16s);
    tcase_add_test(tc, fork_child_forgets_other_threads_held_back_reads);
    tcase_add_test(tc, hot_path_shared_regions);
    return tu_run(s);
}
