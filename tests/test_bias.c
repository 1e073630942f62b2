/* Biased region ownership suite: who owns a region after which updates, the policy
 * (handed over after heavy use, shared after light use), no lost update when owners
 * change under concurrent updaters, the fork child, and the detector's shadow through
 * handovers (the array loop's pattern: halves swap owners, no race; a real race found).
 * Runs at procs = 2 whatever TEST_PROCS says: the bias is only used with two Ms. */
#define TU_IMPLEMENTATION
#include "testutil.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../detector/shadow.h"

#define REGION (1ul << BIAS_SHIFT)

/* Fake shadow addresses: the table is indexed by address only, so region k of a private
 * 1 GB-aligned range stands for any region; each test uses its own range. */
static uintptr_t region_base(int test)
{
    return ((uintptr_t)0x300000000000ull + (uintptr_t)test * (1ull << 30));
}

static void multi(void)
{
    if (go_maxprocs(0) < 2)
        go_maxprocs(2);
    ck_assert(rt_multi);
    ck_assert_msg(bias_available(), "membarrier unavailable here");
}

static bias_thr *enter_exit(uintptr_t a)
{
    bias_thr *t = bias_enter((void *)a);
    bias_exit(t);
    return t;
}

typedef struct run_arg {
    uintptr_t addr;
    int n;
    bias_thr *last;
} run_arg;

static void *run_updates(void *p)
{
    run_arg *r = p;
    for (int i = 0; i < r->n; i++)
        r->last = enter_exit(r->addr);
    return NULL;
}

static bias_thr *on_thread(uintptr_t addr, int n)
{
    run_arg r = {addr, n, NULL};
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, run_updates, &r), 0);
    pthread_join(th, NULL);
    return r.last;
}

START_TEST(free_region_goes_to_first_updater)
{
    multi();
    uintptr_t a = region_base(1);
    ck_assert_uint_eq(bias_state((void *)a), 0);
    bias_thr *t = enter_exit(a);
    ck_assert_ptr_nonnull(t);
    ck_assert_uint_eq(bias_state((void *)a), t->tag);
    ck_assert_uint_eq(bias_state((void *)(a + REGION)), 0); /* the next region is separate */
}
END_TEST

START_TEST(heavy_owner_hands_over_light_owner_shares)
{
    multi();
    uintptr_t a = region_base(2);
    long rev0 = bias_revocations();
    for (int i = 0; i < BIAS_MIN; i++)
        ck_assert_ptr_nonnull(enter_exit(a));
    /* a thread taking the region after BIAS_MIN updates: worth one membarrier, it owns it */
    bias_thr *other = on_thread(a, 1);
    ck_assert_ptr_nonnull(other);
    ck_assert_uint_eq(bias_state((void *)a), other->tag);
    ck_assert_int_eq(bias_revocations(), rev0 + 1);
    /* taking it back after that one update: shared, locks from now on, for everyone */
    ck_assert_ptr_null(enter_exit(a));
    ck_assert_uint_eq(bias_state((void *)a), BIAS_SHARED);
    ck_assert_ptr_null(on_thread(a, 3));
    ck_assert_int_eq(bias_revocations(), rev0 + 2);
}
END_TEST

/*
 * Concurrent updaters over several regions, each bumping a per-region counter: plainly
 * when bias_enter says it owns the region, under a spin lock (the granule lock's stand-in)
 * when it says shared.  The protocol must never let two threads in at once, so no
 * increment is lost, through handovers (the threads sweep the regions in opposite
 * orders, many updates per region, so most regions change owners with their bias kept)
 * and through the shared fallback (where the sweeps meet).  Some owned updates take
 * 50 us, longer than a membarrier, so a revoker that did not wait would overlap them.
 */
enum { NREG = 8, PER = 3 * BIAS_MIN, ROUNDS = 6 };
static volatile uint64_t counters[NREG];
static uint32_t locks[NREG];

typedef struct sweeper {
    uintptr_t base;
    int dir;
    long owned, shared;
} sweeper;

static void spin_us(long us)
{
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    do
        clock_gettime(CLOCK_MONOTONIC, &t);
    while ((t.tv_sec - t0.tv_sec) * 1000000000L + (t.tv_nsec - t0.tv_nsec) < us * 1000);
}

static void *sweep(void *p)
{
    sweeper *s = p;
    for (int round = 0; round < ROUNDS; round++)
        for (int k = 0; k < NREG; k++) {
            int r = s->dir > 0 ? k : NREG - 1 - k;
            for (int i = 0; i < PER; i++) {
                bias_thr *t = bias_enter((void *)(s->base + (uintptr_t)r * REGION));
                if (t) {
                    /* now and then a long update, which a revoker must wait for */
                    uint64_t v = counters[r];
                    if ((i & 1023) == 0)
                        spin_us(50);
                    counters[r] = v + 1;
                    s->owned++;
                } else {
                    while (__atomic_exchange_n(&locks[r], 1, __ATOMIC_ACQUIRE))
                        __builtin_ia32_pause();
                    counters[r] = counters[r] + 1;
                    __atomic_store_n(&locks[r], 0, __ATOMIC_RELEASE);
                    s->shared++;
                }
                bias_exit(t);
            }
        }
    return NULL;
}

START_TEST(no_lost_update_across_handovers)
{
    multi();
    uintptr_t base = region_base(3);
    long rev0 = bias_revocations();
    sweeper s[2] = {{base, 1, 0, 0}, {base, -1, 0, 0}};
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        ck_assert_int_eq(pthread_create(&th[i], NULL, sweep, &s[i]), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    for (int r = 0; r < NREG; r++)
        ck_assert_uint_eq(counters[r], 2ull * ROUNDS * PER);
    ck_assert_int_gt(bias_revocations(), rev0);
    ck_assert_int_gt(s[0].owned + s[1].owned, 0);
    printf("no_lost_update: %ld revocations, %ld owned and %ld shared updates\n",
           bias_revocations() - rev0, s[0].owned + s[1].owned, s[0].shared + s[1].shared);
}
END_TEST

/* A thread caught inside a region when another forks: in the child that thread is gone,
 * so its busy word must not make the child's revocation wait forever. */
static volatile int holder_in, holder_go;

static void *hold_region(void *p)
{
    bias_thr *t = bias_enter(p);
    __atomic_store_n(&holder_in, 1, __ATOMIC_RELEASE);
    while (!__atomic_load_n(&holder_go, __ATOMIC_ACQUIRE))
        __builtin_ia32_pause();
    bias_exit(t);
    return NULL;
}

START_TEST(fork_child_does_not_wait_for_gone_thread)
{
    multi();
    uintptr_t a = region_base(4);
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, hold_region, (void *)a), 0);
    while (!__atomic_load_n(&holder_in, __ATOMIC_ACQUIRE))
        __builtin_ia32_pause();
    ck_assert_uint_ne(bias_state((void *)a), 0);
    pid_t pid = fork();
    if (pid == 0) {
        alarm(20); /* a child that hangs dies instead of outliving the test */
        enter_exit(a); /* revokes from the holder, which does not exist here */
        _exit(bias_state((void *)a) == BIAS_SHARED ? 0 : 3);
    }
    int st = 0;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    __atomic_store_n(&holder_go, 1, __ATOMIC_RELEASE);
    pthread_join(th, NULL);
    ck_assert(WIFEXITED(st));
    ck_assert_int_eq(WEXITSTATUS(st), 0);
}
END_TEST

/* A sweep takes the regions ahead along with the one it needs, in one membarrier, from
 * an owner that used them heavily; but never the region the owner is in now, nor the
 * ones past it, and never one the owner barely used. */
enum { SWEEP_N = 10 };
static volatile int sweeper_in, sweeper_go;

typedef struct sweep_owner {
    uintptr_t base;
    int hold;       /* region to stay inside at the end, -1: none */
    int light;      /* region updated only once, -1: none */
} sweep_owner;

static void *own_regions(void *p)
{
    sweep_owner *o = p;
    for (int k = 0; k < SWEEP_N; k++)
        for (int i = 0; i < (k == o->light ? 1 : BIAS_MIN); i++)
            ck_assert_ptr_nonnull(enter_exit(o->base + (uintptr_t)k * REGION));
    if (o->hold >= 0) {
        bias_thr *t = bias_enter((void *)(o->base + (uintptr_t)o->hold * REGION));
        __atomic_store_n(&sweeper_in, 1, __ATOMIC_RELEASE);
        while (!__atomic_load_n(&sweeper_go, __ATOMIC_ACQUIRE))
            __builtin_ia32_pause();
        bias_exit(t);
    }
    return NULL;
}

/* Regions 1..SWEEP_N-1 of base owned by another thread, region 0 by this one; then this
 * thread enters region 1.  Returns this thread's tag. */
static uint32_t sweep_into(sweep_owner *o)
{
    pthread_t th;
    sweeper_in = sweeper_go = 0;
    ck_assert_int_eq(pthread_create(&th, NULL, own_regions, o), 0);
    if (o->hold >= 0)
        while (!__atomic_load_n(&sweeper_in, __ATOMIC_ACQUIRE))
            __builtin_ia32_pause();
    else
        pthread_join(th, NULL);
    bias_thr *me = enter_exit(o->base); /* region 0: taken from the other, heavily used */
    ck_assert_ptr_nonnull(me);
    ck_assert_uint_eq(bias_state((void *)o->base), me->tag);
    long rev = bias_revocations();
    ck_assert_ptr_nonnull(enter_exit(o->base + REGION));
    ck_assert_int_eq(bias_revocations(), rev + 1);
    if (o->hold >= 0) {
        __atomic_store_n(&sweeper_go, 1, __ATOMIC_RELEASE);
        pthread_join(th, NULL);
    }
    return me->tag;
}

START_TEST(sweep_takes_regions_ahead_in_one_membarrier)
{
    multi();
    sweep_owner o = {region_base(6), -1, -1};
    long batched = bias_batched();
    uint32_t me = sweep_into(&o);
    /* regions 1..8 (BIAS_BATCH) are this thread's now, the rest still the other's */
    for (int k = 1; k <= 8; k++)
        ck_assert_uint_eq(bias_state((void *)(o.base + (uintptr_t)k * REGION)), me);
    ck_assert_uint_ne(bias_state((void *)(o.base + 9 * REGION)), me);
    ck_assert_int_eq(bias_batched(), batched + 7);
    long rev = bias_revocations();
    for (int k = 2; k <= 8; k++)
        ck_assert_ptr_nonnull(enter_exit(o.base + (uintptr_t)k * REGION));
    ck_assert_int_eq(bias_revocations(), rev); /* no more membarriers for them */
}
END_TEST

START_TEST(sweep_stops_below_the_owner_and_its_light_regions)
{
    multi();
    sweep_owner ahead = {region_base(7), 4, -1};
    uint32_t me = sweep_into(&ahead);
    for (int k = 1; k <= 3; k++)
        ck_assert_uint_eq(bias_state((void *)(ahead.base + (uintptr_t)k * REGION)), me);
    for (int k = 4; k < SWEEP_N; k++) /* the owner was in region 4: it keeps 4 and up */
        ck_assert_uint_ne(bias_state((void *)(ahead.base + (uintptr_t)k * REGION)), me);
    sweep_owner light = {region_base(8), -1, 3};
    me = sweep_into(&light);
    ck_assert_uint_eq(bias_state((void *)(light.base + 2 * REGION)), me);
    ck_assert_uint_ne(bias_state((void *)(light.base + 3 * REGION)), me);
    ck_assert_uint_ne(bias_state((void *)(light.base + 3 * REGION)), BIAS_SHARED);
}
END_TEST

/*
 * The detector's shadow through handovers: two threads are two goroutines ("actors")
 * with explicit clocks.  Each pass they write their half of a buffer spanning several
 * regions, then join (barrier plus clock exchange), and the halves swap: race-free, every
 * region changes owner every pass.  Then one unordered write must still be reported.
 */
enum { HALF = 3 << 20, PASSES = 4 };
static char *buf;
static pthread_barrier_t bar;

typedef struct actor {
    uint32_t slot;
    vclock vc;
    shadow_hbc hbc;
    int races;
} actor;
static actor actors[2];

static int write8(actor *a, uintptr_t p)
{
    shadow_granule *g = shadow_of(p);
    if (!g)
        g = shadow_map_slow(p);
    uint64_t c = cell_make(a->slot, vc_get(&a->vc, a->slot), 0xff, CELL_WRITE);
    if (shadow_covers(g, c))
        return 0;
    shadow_actor who = {a->slot, &a->vc, &a->hbc};
    shadow_hit hits[4];
    return shadow_update(g, c, 1, &who, hits, 4);
}

typedef struct write_arg {
    actor *a;
    uintptr_t p;
    int races;
} write_arg;

static void *write_one(void *p)
{
    write_arg *w = p;
    w->races = write8(w->a, w->p);
    return NULL;
}

static int write_on_thread(actor *a, uintptr_t p)
{
    write_arg w = {a, p, 0};
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, write_one, &w), 0);
    pthread_join(th, NULL);
    return w.races;
}

static void *halves(void *p)
{
    int me = (int)(intptr_t)p;
    actor *a = &actors[me];
    for (int pass = 0; pass < PASSES; pass++) {
        uintptr_t lo = (uintptr_t)buf + (uintptr_t)((me + pass) & 1) * HALF;
        for (uintptr_t q = lo; q < lo + HALF; q += 8)
            a->races += write8(a, q);
        pthread_barrier_wait(&bar);
        /* the join: each acquires the other's clock, then ticks (a release) */
        vc_join(&a->vc, &actors[!me].vc);
        pthread_barrier_wait(&bar);
        vc_set(&a->vc, a->slot, vc_get(&a->vc, a->slot) + 1);
        pthread_barrier_wait(&bar);
    }
    return NULL;
}

START_TEST(shadow_handovers_keep_races_exact)
{
    multi();
    buf = aligned_alloc(1 << 20, 2 * HALF);
    ck_assert_ptr_nonnull(buf);
    long rev0 = bias_revocations();
    for (int i = 0; i < 2; i++) {
        memset(&actors[i], 0, sizeof actors[i]);
        actors[i].slot = (uint32_t)i + 1;
        vc_set(&actors[i].vc, actors[i].slot, 1);
    }
    pthread_barrier_init(&bar, NULL, 2);
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        ck_assert_int_eq(pthread_create(&th[i], NULL, halves, (void *)(intptr_t)i), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    ck_assert_int_eq(actors[0].races + actors[1].races, 0);
    ck_assert_int_gt(bias_revocations(), rev0);
    /* an inner region of the buffer is owned, not shared: the bias survived the swaps */
    shadow_granule *mid = shadow_of((uintptr_t)buf + HALF / 2);
    uint32_t st = bias_state(mid);
    ck_assert(st != 0 && st != BIAS_SHARED && !(st & BIAS_REVOKING));
    /* actor 1 writes once more, then actor 0, unordered, on other threads: a race */
    uintptr_t x = (uintptr_t)buf + HALF / 2;
    ck_assert_int_eq(write_on_thread(&actors[1], x), 0);
    ck_assert_int_eq(write_on_thread(&actors[0], x), 1);
    free(buf);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("bias");
    TCase *tc = tu_tcase(s, "bias", 60);
    tcase_add_test(tc, free_region_goes_to_first_updater);
    tcase_add_test(tc, heavy_owner_hands_over_light_owner_shares);
    tcase_add_test(tc, no_lost_update_across_handovers);
    tcase_add_test(tc, fork_child_does_not_wait_for_gone_thread);
    tcase_add_test(tc, sweep_takes_regions_ahead_in_one_membarrier);
    tcase_add_test(tc, sweep_stops_below_the_owner_and_its_light_regions);
    tcase_add_test(tc, shadow_handovers_keep_races_exact);
    return tu_run(s);
}
