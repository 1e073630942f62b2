/* Mutex suite: sync.Mutex (exclusion under contention, trylock, blocking), sync.RWMutex
 * (concurrent readers, writer exclusion, writer preference, TryLock), sync.Cond (signal
 * wakes one, broadcast all), sync.Once (exactly once, and every caller sees its effect),
 * and Go's fatal errors for unlocking what is not held. */
#include "testutil.h"
#include "tu_fatal.h"

static void settle(void)
{
    for (int i = 0; i < 50; i++)
        go_yield();
    go_sleep_ms(5);
}

/* ---- Mutex ------------------------------------------------------------------------------ */

enum { NWORKERS = 4, ITERS = 50000 };

static mutex_t mu;
static long counter;
static waitgroup_t wg;

/* read-yield-write inside the critical section: without exclusion, updates get lost at
 * procs = 1 too */
static void increment(void *arg)
{
    (void)arg;
    for (int i = 0; i < ITERS; i++) {
        mutex_lock(&mu);
        long v = counter;
        if (i % 128 == 0)
            go_yield();
        counter = v + 1;
        mutex_unlock(&mu);
    }
    wg_done(&wg);
}

START_TEST(test_mutex_counter_under_contention)
{
    wg_add(&wg, NWORKERS);
    for (int i = 0; i < NWORKERS; i++)
        go(increment, NULL);
    wg_wait(&wg);
    ck_assert_int_eq(counter, (long)NWORKERS * ITERS);
}
END_TEST

typedef struct locker {
    mutex_t *mu;
    int32_t locked;
} locker;

static void lock_and_flag(void *arg)
{
    locker *l = arg;
    mutex_lock(l->mu);
    atomic_store_int32(&l->locked, 1);
    mutex_unlock(l->mu);
}

START_TEST(test_mutex_lock_blocks_while_held)
{
    mutex_t m = {0}; /* zero value is an unlocked mutex */
    static locker l;
    l.mu = &m;
    mutex_lock(&m);
    go(lock_and_flag, &l);
    settle();
    ck_assert_int_eq(atomic_load_int32(&l.locked), 0);
    mutex_unlock(&m);
    while (!atomic_load_int32(&l.locked))
        go_yield();
    mutex_lock(&m); /* released again by the goroutine */
    mutex_unlock(&m);
}
END_TEST

/* An unlock while a woken waiter has yet to compete wakes nobody (MU_WOKEN); the waiter,
 * beaten to the mutex by its unlocker, requeues, and every later unlock still reaches
 * both waiters: none is left parked. */
START_TEST(test_mutex_woken_waiter_then_barging)
{
    mutex_t m = {0};
    static locker a, b;
    a = (locker){&m, 0};
    b = (locker){&m, 0};
    mutex_lock(&m);
    go(lock_and_flag, &a);
    go(lock_and_flag, &b);
    settle(); /* both parked on m */
    for (int i = 0; i < 3; i++) {
        mutex_unlock(&m); /* the first wakes a waiter, the others find it woken */
        mutex_lock(&m);   /* barging: free, so the fast path takes it back */
    }
    settle(); /* the woken waiter lost and queued again */
    if (tu_procs() == 1) /* at procs = 2 the woken one may win on the other M */
        ck_assert_int_eq(atomic_load_int32(&a.locked) + atomic_load_int32(&b.locked), 0);
    mutex_unlock(&m);
    while (!atomic_load_int32(&a.locked) || !atomic_load_int32(&b.locked))
        go_yield();
}
END_TEST

/* A goroutine that keeps re-locking (and yields while holding the mutex) must not starve a
 * waiter forever: without starvation mode the waiter loses every race at procs = 1. */
static mutex_t hog_mu;
static int32_t hog_stop;

static void hog(void *arg)
{
    (void)arg;
    while (!atomic_load_int32(&hog_stop)) {
        mutex_lock(&hog_mu);
        go_yield();
        mutex_unlock(&hog_mu);
    }
    wg_done(&wg);
}

START_TEST(test_mutex_waiter_not_starved)
{
    wg_add(&wg, 1);
    go(hog, NULL);
    go_yield();
    mutex_lock(&hog_mu); /* returns only if the hog hands the mutex over */
    atomic_store_int32(&hog_stop, 1);
    mutex_unlock(&hog_mu);
    wg_wait(&wg);
}
END_TEST

START_TEST(test_mutex_trylock)
{
    mutex_t m = {0};
    ck_assert(mutex_trylock(&m));
    ck_assert(!mutex_trylock(&m));
    mutex_unlock(&m);
    ck_assert(mutex_trylock(&m));
    mutex_unlock(&m);
}
END_TEST

/* ---- RWMutex -------------------------------------------------------------------------------- */

enum { NREADERS = 5 };

static rwmutex_t rw;
static chan_t *inside, *release;

/* Each reader reports that it holds the read lock, then keeps holding it until main
 * closes `release`: only concurrent readers let main hear all of them. */
static void hold_read(void *arg)
{
    (void)arg;
    rwmutex_rlock(&rw);
    chan_send(inside, NULL);
    chan_recv(release, NULL);
    rwmutex_runlock(&rw);
    wg_done(&wg);
}

START_TEST(test_rwmutex_readers_share)
{
    inside = chan_make(0, 0);
    release = chan_make(0, 0);
    wg_add(&wg, NREADERS);
    for (int i = 0; i < NREADERS; i++)
        go(hold_read, NULL);
    for (int i = 0; i < NREADERS; i++)
        chan_recv(inside, NULL);
    chan_close(release);
    wg_wait(&wg);
}
END_TEST

typedef struct rw_flag {
    rwmutex_t *rw;
    int32_t in;
} rw_flag;

static void rlock_flag(void *arg)
{
    rw_flag *f = arg;
    rwmutex_rlock(f->rw);
    atomic_store_int32(&f->in, 1);
    rwmutex_runlock(f->rw);
}

static void wlock_flag(void *arg)
{
    rw_flag *f = arg;
    rwmutex_lock(f->rw);
    atomic_store_int32(&f->in, 1);
    rwmutex_unlock(f->rw);
}

START_TEST(test_rwmutex_writer_excludes_readers)
{
    static rwmutex_t m;
    static rw_flag r = {.rw = &m}, w = {.rw = &m};
    rwmutex_lock(&m);
    go(rlock_flag, &r);
    go(wlock_flag, &w);
    settle();
    ck_assert_int_eq(atomic_load_int32(&r.in), 0);
    ck_assert_int_eq(atomic_load_int32(&w.in), 0);
    rwmutex_unlock(&m);
    while (!atomic_load_int32(&r.in) || !atomic_load_int32(&w.in))
        go_yield();
}
END_TEST

/* A writer waiting behind a reader blocks new readers (no writer starvation). */
START_TEST(test_rwmutex_waiting_writer_blocks_new_readers)
{
    static rwmutex_t m;
    static rw_flag w = {.rw = &m}, r2 = {.rw = &m};
    rwmutex_rlock(&m);
    go(wlock_flag, &w);
    settle();
    go(rlock_flag, &r2);
    settle();
    ck_assert_int_eq(atomic_load_int32(&w.in), 0);
    ck_assert_int_eq(atomic_load_int32(&r2.in), 0);
    rwmutex_runlock(&m);
    while (!atomic_load_int32(&w.in) || !atomic_load_int32(&r2.in))
        go_yield();
}
END_TEST

/* A writer's unlock admits every reader that queued behind it, together. */
static rwmutex_t batch_rw;
static chan_t *batch_in, *batch_out;

static void batch_reader(void *arg)
{
    (void)arg;
    rwmutex_rlock(&batch_rw);
    chan_send(batch_in, NULL);
    chan_recv(batch_out, NULL);
    rwmutex_runlock(&batch_rw);
}

START_TEST(test_rwmutex_unlock_admits_queued_readers)
{
    batch_in = chan_make(0, 0);
    batch_out = chan_make(0, 0);
    rwmutex_lock(&batch_rw);
    for (int i = 0; i < 4; i++)
        go(batch_reader, NULL);
    settle();
    select_case_t none[] = {SELECT_RECV_CASE(batch_in, NULL)};
    ck_assert_int_eq(chan_select(none, 1, true), -1); /* nobody got in yet */
    rwmutex_unlock(&batch_rw);
    for (int i = 0; i < 4; i++) /* all four hold the read lock at once */
        chan_recv(batch_in, NULL);
    chan_close(batch_out);
    rwmutex_lock(&batch_rw); /* and all four let go */
    rwmutex_unlock(&batch_rw);
}
END_TEST

/* Writers keep two fields equal, updating them one at a time with a yield in between;
 * readers must never see them differ, and no write may be lost. */
static rwmutex_t pair_rw;
static long pair_a, pair_b;
static int32_t torn;

static void pair_writer(void *arg)
{
    (void)arg;
    for (int i = 0; i < 5000; i++) {
        rwmutex_lock(&pair_rw);
        pair_a++;
        if (i % 16 == 0)
            go_yield();
        pair_b++;
        rwmutex_unlock(&pair_rw);
    }
    wg_done(&wg);
}

static void pair_reader(void *arg)
{
    (void)arg;
    for (int i = 0; i < 5000; i++) {
        rwmutex_rlock(&pair_rw);
        long a = pair_a;
        if (i % 16 == 0)
            go_yield();
        if (a != pair_b)
            atomic_store_int32(&torn, 1);
        rwmutex_runlock(&pair_rw);
    }
    wg_done(&wg);
}

START_TEST(test_rwmutex_contention)
{
    wg_add(&wg, 6);
    for (int i = 0; i < 3; i++) {
        go(pair_writer, NULL);
        go(pair_reader, NULL);
    }
    wg_wait(&wg);
    ck_assert_int_eq(atomic_load_int32(&torn), 0);
    ck_assert_int_eq(pair_a, 15000);
    ck_assert_int_eq(pair_b, 15000);
}
END_TEST

/* ---- Cond, TryLock/TryRLock -------------------------------------------------------------- */

static cond_t cv;
static int cv_ready, cv_woken;

static void cond_waiter(void *arg)
{
    (void)arg;
    mutex_lock(&mu);
    while (!cv_ready)
        cond_wait(&cv, &mu);
    cv_ready--;
    cv_woken++;
    mutex_unlock(&mu);
    wg_done(&wg);
}

/* a signal wakes one waiter, a broadcast all; each holds the mutex when it returns */
START_TEST(test_cond_signal_one_broadcast_all)
{
    wg_add(&wg, 3);
    for (int i = 0; i < 3; i++)
        go(cond_waiter, NULL);
    settle();
    mutex_lock(&mu);
    cv_ready = 1;
    cond_signal(&cv);
    mutex_unlock(&mu);
    settle();
    mutex_lock(&mu);
    ck_assert_int_eq(cv_woken, 1);
    cv_ready = 2;
    cond_broadcast(&cv);
    mutex_unlock(&mu);
    wg_wait(&wg);
    ck_assert_int_eq(cv_woken, 3);
    cond_signal(&cv); /* nobody waits: nothing happens */
}
END_TEST

START_TEST(test_rwmutex_try)
{
    rwmutex_t rw = {0};
    ck_assert(rwmutex_tryrlock(&rw));
    ck_assert(rwmutex_tryrlock(&rw));
    ck_assert(!rwmutex_trylock(&rw));
    rwmutex_runlock(&rw);
    rwmutex_runlock(&rw);
    ck_assert(rwmutex_trylock(&rw));
    ck_assert(!rwmutex_tryrlock(&rw));
    ck_assert(!rwmutex_trylock(&rw));
    rwmutex_unlock(&rw);
}
END_TEST

/* ---- Once --------------------------------------------------------------------------------------- */

static once_t once;
static int32_t once_runs;
static int once_value;

static void init_once(void *arg)
{
    atomic_add_int32(&once_runs, 1);
    go_yield(); /* let the other callers pile up behind us */
    once_value = *(int *)arg;
}

static void call_once(void *arg)
{
    (void)arg;
    static int v = 42;
    once_do(&once, init_once, &v);
    if (once_value != 42) /* Do returns only after f has returned */
        atomic_store_int32(&torn, 1);
    wg_done(&wg);
}

START_TEST(test_once_runs_exactly_once)
{
    wg_add(&wg, 16);
    for (int i = 0; i < 16; i++)
        go(call_once, NULL);
    wg_wait(&wg);
    ck_assert_int_eq(atomic_load_int32(&once_runs), 1);
    ck_assert_int_eq(atomic_load_int32(&torn), 0);
    int other = 7;
    once_do(&once, init_once, &other);
    ck_assert_int_eq(once_value, 42);
}
END_TEST

/* ---- fatal ---------------------------------------------------------------------------------------- */

static void sc_unlock_unlocked(void)
{
    mutex_t m = {0};
    mutex_unlock(&m);
}

static void sc_double_lock(void)
{
    mutex_t m = {0};
    mutex_lock(&m);
    mutex_lock(&m);
}

static void sc_rw_unlock_unlocked(void)
{
    rwmutex_t m = {0};
    rwmutex_unlock(&m);
}

static void sc_rw_runlock_unlocked(void)
{
    rwmutex_t m = {0};
    rwmutex_runlock(&m);
}

static void sc_rw_reader_blocks_writer(void)
{
    rwmutex_t m = {0};
    rwmutex_rlock(&m);
    rwmutex_lock(&m);
}

static const tu_scenario scenarios[] = {
    {"unlock_unlocked", sc_unlock_unlocked},
    {"double_lock", sc_double_lock},
    {"rw_unlock_unlocked", sc_rw_unlock_unlocked},
    {"rw_runlock_unlocked", sc_rw_runlock_unlocked},
    {"rw_reader_blocks_writer", sc_rw_reader_blocks_writer},
    {NULL, NULL},
};

START_TEST(test_unlock_of_unlocked_is_fatal)
{
    tu_assert_fatal("unlock_unlocked", "fatal error: sync: unlock of unlocked mutex\n", "");
    tu_assert_fatal("rw_unlock_unlocked", "fatal error: sync: Unlock of unlocked RWMutex\n", "");
    tu_assert_fatal("rw_runlock_unlocked", "fatal error: sync: RUnlock of unlocked RWMutex\n", "");
}
END_TEST

START_TEST(test_lock_deadlocks_report_semacquire)
{
    const char *dl = "fatal error: all goroutines are asleep - deadlock!";
    tu_assert_fatal("double_lock", dl, "goroutine 1 [semacquire]:");
    tu_assert_fatal("rw_reader_blocks_writer", dl, "goroutine 1 [semacquire]:");
}
END_TEST

int main(void)
{
    tu_scenario_main(scenarios);
    Suite *s = suite_create("mutex");
    TCase *tc = tu_tcase(s, "mutex", 30);
    tcase_add_test(tc, test_mutex_counter_under_contention);
    tcase_add_test(tc, test_mutex_lock_blocks_while_held);
    tcase_add_test(tc, test_mutex_woken_waiter_then_barging);
    tcase_add_test(tc, test_mutex_trylock);
    tcase_add_test(tc, test_mutex_waiter_not_starved);
    tc = tu_tcase(s, "rwmutex", 30);
    tcase_add_test(tc, test_rwmutex_readers_share);
    tcase_add_test(tc, test_rwmutex_writer_excludes_readers);
    tcase_add_test(tc, test_rwmutex_waiting_writer_blocks_new_readers);
    tcase_add_test(tc, test_rwmutex_contention);
    tcase_add_test(tc, test_rwmutex_unlock_admits_queued_readers);
    tc = tu_tcase(s, "cond", 30);
    tcase_add_test(tc, test_cond_signal_one_broadcast_all);
    tcase_add_test(tc, test_rwmutex_try);
    tc = tu_tcase(s, "once", 30);
    tcase_add_test(tc, test_once_runs_exactly_once);
    tc = tu_tcase(s, "fatal", 30);
    tcase_add_test(tc, test_unlock_of_unlocked_is_fatal);
    tcase_add_test(tc, test_lock_deadlocks_report_semacquire);
    return tu_run(s);
}
