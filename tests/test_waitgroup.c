/* WaitGroup suite: zero value, waiting for many goroutines, several waiters, reuse,
 * blocking, and Go's negative-counter panic and semacquire deadlock. */
#include "testutil.h"
#include "tu_fatal.h"

static void settle(void)
{
    for (int i = 0; i < 50; i++)
        go_yield();
    go_sleep_ms(5);
}

START_TEST(test_wait_on_zero_value_returns)
{
    waitgroup_t wg = {0};
    wg_wait(&wg); /* main alone: blocking here would deadlock the test */
    wg_add(&wg, 2);
    wg_done(&wg);
    wg_done(&wg);
    wg_wait(&wg);
}
END_TEST

enum { NWORK = 2000 };
static waitgroup_t wg;
static char marks[NWORK];

static void mark(void *arg)
{
    intptr_t i = (intptr_t)arg;
    if (i % 7 == 0)
        go_yield();
    marks[i] = 1;
    wg_done(&wg);
}

START_TEST(test_wait_for_all_goroutines)
{
    for (int round = 0; round < 3; round++) { /* reused after reaching zero */
        wg_add(&wg, NWORK);
        for (intptr_t i = 0; i < NWORK; i++)
            go(mark, (void *)i);
        wg_wait(&wg);
        for (int i = 0; i < NWORK; i++) {
            ck_assert_int_eq(marks[i], 1);
            marks[i] = 0;
        }
    }
}
END_TEST

typedef struct waiter_state {
    waitgroup_t *wg;
    int32_t returned;
} waiter_state;

static void wait_and_count(void *arg)
{
    waiter_state *w = arg;
    wg_wait(w->wg);
    atomic_add_int32(&w->returned, 1);
}

START_TEST(test_every_waiter_wakes_only_at_zero)
{
    static waitgroup_t g;
    static waiter_state w = {.wg = &g};
    wg_add(&g, 3);
    for (int i = 0; i < 5; i++)
        go(wait_and_count, &w);
    settle();
    wg_done(&g);
    wg_add(&g, -1); /* Done is Add(-1) */
    settle();
    ck_assert_int_eq(atomic_load_int32(&w.returned), 0);
    wg_done(&g);
    while (atomic_load_int32(&w.returned) < 5)
        go_yield();
    ck_assert_int_eq(atomic_load_int32(&w.returned), 5);
}
END_TEST

/* ---- fatal --------------------------------------------------------------------------------- */

static void sc_negative(void)
{
    waitgroup_t g = {0};
    wg_add(&g, 1);
    wg_done(&g);
    wg_done(&g);
}

static void sc_never_done(void)
{
    waitgroup_t g = {0};
    wg_add(&g, 1);
    wg_wait(&g);
}

static const tu_scenario scenarios[] = {
    {"negative", sc_negative},
    {"never_done", sc_never_done},
    {NULL, NULL},
};

START_TEST(test_negative_counter_panics)
{
    tu_assert_fatal("negative", "panic: sync: negative WaitGroup counter\n", "goroutine 1 [running]");
}
END_TEST

START_TEST(test_wait_forever_deadlocks)
{
    tu_assert_fatal("never_done", "fatal error: all goroutines are asleep - deadlock!",
                    "goroutine 1 [semacquire]:");
}
END_TEST

int main(void)
{
    tu_scenario_main(scenarios);
    Suite *s = suite_create("waitgroup");
    TCase *tc = tu_tcase(s, "core", 20);
    tcase_add_test(tc, test_wait_on_zero_value_returns);
    tcase_add_test(tc, test_wait_for_all_goroutines);
    tcase_add_test(tc, test_every_waiter_wakes_only_at_zero);
    tc = tu_tcase(s, "fatal", 30);
    tcase_add_test(tc, test_negative_counter_panics);
    tcase_add_test(tc, test_wait_forever_deadlocks);
    return tu_run(s);
}
