/* Scheduler suite: spawning, yielding, stacks, procs, determinism. */
#define TU_IMPLEMENTATION
#include "testutil.h"

#include <stdio.h>
#include <string.h>

static int32_t done_count;

static void bump(void *arg)
{
    (void)arg;
    atomic_add_int32(&done_count, 1);
}

static void join_all(int32_t n)
{
    while (atomic_load_int32(&done_count) < n)
        go_yield();
}

START_TEST(test_spawn_many)
{
    for (int i = 0; i < 10000; i++)
        go(bump, NULL);
    join_all(10000);
    ck_assert_int_eq(done_count, 10000);
}
END_TEST

static void yielder(void *arg)
{
    int *turns = arg;
    for (int i = 0; i < 1000; i++) {
        (*turns)++;
        go_yield();
    }
    atomic_add_int32(&done_count, 1);
}

START_TEST(test_yield_interleaves)
{
    static int turns[2];
    go(yielder, &turns[0]);
    go(yielder, &turns[1]);
    join_all(2);
    ck_assert_int_eq(turns[0], 1000);
    ck_assert_int_eq(turns[1], 1000);
}
END_TEST

/* 10,000 frames of ~100 bytes each must fit in a goroutine's stack */
static __attribute__((noinline)) int recurse(int n)
{
    volatile char pad[100];
    pad[0] = (char)n;
    if (n == 0)
        return pad[0];
    return recurse(n - 1) + pad[0] - (char)n + 1;
}

static void deep(void *arg)
{
    *(int *)arg = recurse(10000);
    atomic_add_int32(&done_count, 1);
}

START_TEST(test_deep_recursion)
{
    static int result;
    go(deep, &result);
    join_all(1);
    ck_assert_int_eq(result, 10000);
}
END_TEST

START_TEST(test_num_goroutine)
{
    ck_assert_int_eq(go_num_goroutine(), 1);
    for (int i = 0; i < 5; i++)
        go(bump, NULL);
    ck_assert_int_ge(go_num_goroutine(), 1);
    join_all(5);
    /* finished goroutines leave the count once their stack is released */
    for (int i = 0; i < 10 && go_num_goroutine() > 1; i++)
        go_yield();
    ck_assert_int_eq(go_num_goroutine(), 1);
    ck_assert_int_eq(go_id(), 1);
}
END_TEST

START_TEST(test_maxprocs)
{
    int p = go_maxprocs(0);
    ck_assert_int_eq(p, tu_procs());
    ck_assert_int_eq(go_maxprocs(3), p);
    ck_assert_int_eq(go_maxprocs(0), 3);
    for (int i = 0; i < 1000; i++)
        go(bump, NULL);
    join_all(1000);
    ck_assert_int_eq(go_maxprocs(1), 3);
}
END_TEST

/* The same seed gives the same interleaving: record the order goroutines run in. */
static char order[64];
static int norder;

static void record(void *arg)
{
    for (int i = 0; i < 3; i++) {
        order[norder++] = (char)(intptr_t)arg;
        go_yield();
    }
    atomic_add_int32(&done_count, 1);
}

static void run_order(void)
{
    for (intptr_t c = 'a'; c < 'a' + 6; c++)
        go(record, (void *)c);
    join_all(6);
    order[norder] = 0;
    printf("%s\n", order);
}

START_TEST(test_seed_determinism)
{
    if (tu_procs() > 1)
        return; /* determinism is a procs=1 promise */
    char a[256], b[256], c[256];
    setenv("RACEDEMO_SEED", "7", 1);
    /* the seed is read at start-up: each run is a fresh exec of this binary's child */
    ck_assert_int_eq(tu_capture(run_order, a, sizeof a), 0);
    ck_assert_int_eq(tu_capture(run_order, b, sizeof b), 0);
    ck_assert_str_eq(a, b);
    ck_assert_int_eq((int)strlen(a), 19);
    (void)c;
}
END_TEST

START_TEST(test_sleep_virtual_clock)
{
    int64_t t0 = go_now_ns();
    go_sleep_ms(tu_procs() > 1 ? 20 : 1000);
    int64_t dt = go_now_ns() - t0;
    ck_assert_int_ge(dt, (tu_procs() > 1 ? 20 : 1000) * 1000000LL);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sched");
    TCase *tc = tu_tcase(s, "core", 60);
    tcase_add_test(tc, test_spawn_many);
    tcase_add_test(tc, test_yield_interleaves);
    tcase_add_test(tc, test_deep_recursion);
    tcase_add_test(tc, test_num_goroutine);
    tcase_add_test(tc, test_maxprocs);
    tcase_add_test(tc, test_seed_determinism);
    tcase_add_test(tc, test_sleep_virtual_clock);
    return tu_run(s);
}
