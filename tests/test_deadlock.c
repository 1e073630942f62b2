/* Deadlock suite: "all goroutines are asleep" with every goroutine's wait reason and
 * symbolized stack (parked goroutines unwound from their saved contexts), id order,
 * hidden runtime frames, no false deadlock while someone sleeps, and main's Goexit.
 *
 * Every scenario runs in a fresh exec of this binary (tu_fatal.h).  A scenario that
 * blocks never ends in the blocking call: an optimised tail call would drop its frame. */
#include "testutil.h"
#include "tu_fatal.h"

#include "rt.h"

#include <string.h>

#define DEADLOCK "fatal error: all goroutines are asleep - deadlock!\n\n"

static volatile int sink;

/* ---- scenarios (run as goroutine 1 of a fresh process) ------------------------------------- */

static void sc_wg_main(void)
{
    waitgroup_t wg = {0};
    wg_add(&wg, 1);
    wg_wait(&wg);
    sink = 1;
}

static void sc_mutex_main(void)
{
    mutex_t mu = {0};
    mutex_lock(&mu);
    mutex_lock(&mu);
    sink = 1;
}

static void sc_chan_main(void)
{
    chan_t *ch = chan_make(sizeof(int), 0);
    int v;
    chan_recv(ch, &v);
    sink = v;
}

/* A goroutine parked with the scheduler's own primitive and a reason of our choosing. */
static __attribute__((noinline)) void park_forever(const char *reason)
{
    sched_park(reason, NULL, NULL);
    sink = 2;
}

static void sc_park_main(void)
{
    park_forever("chan receive");
    sink = 3;
}

static chan_t *ch_nobody;
static mutex_t mu_held;
static waitgroup_t wg_never;

static void blocked_sender(void *arg)
{
    int v = 7;
    (void)arg;
    chan_send(ch_nobody, &v);
    sink = 4;
}

static void blocked_locker(void *arg)
{
    (void)arg;
    mutex_lock(&mu_held);
    sink = 5;
}

static void blocked_waiter(void *arg)
{
    (void)arg;
    wg_wait(&wg_never);
    sink = 6;
}

static void sc_several(void)
{
    ch_nobody = chan_make(sizeof(int), 0);
    mutex_lock(&mu_held);
    wg_add(&wg_never, 1);
    go(blocked_sender, NULL);
    go(blocked_locker, NULL);
    go(blocked_waiter, NULL);
    chan_t *never = chan_make(sizeof(int), 0);
    chan_recv(never, NULL);
    sink = 7;
}

/* Main blocks until a goroutine that first sleeps wakes it, while another goroutine is
 * parked for good: the sleeper's timer means the run is not stuck. */
static void sleeper(void *arg)
{
    go_sleep_ms(30);
    int v = 1;
    chan_send(arg, &v);
}

static void sc_sleeper_wakes_main(void)
{
    chan_t *ch = chan_make(sizeof(int), 0);
    wg_add(&wg_never, 1);
    go(blocked_waiter, NULL);
    go(sleeper, ch);
    int v = 0;
    chan_recv(ch, &v);
    printf("woke %d\n", v);
}

static void sc_main_sleeps(void)
{
    wg_add(&wg_never, 1);
    go(blocked_waiter, NULL);
    go_sleep_ms(20);
    printf("slept\n");
}

static void finisher(void *arg)
{
    (void)arg;
    printf("worker done\n");
}

static void sc_goexit_others_finish(void)
{
    go(finisher, NULL);
    go_exit();
}

static void sc_goexit_others_blocked(void)
{
    wg_add(&wg_never, 1);
    go(blocked_waiter, NULL);
    go_exit();
}

static const tu_scenario scenarios[] = {
    {"wg_main", sc_wg_main},
    {"mutex_main", sc_mutex_main},
    {"chan_main", sc_chan_main},
    {"park_main", sc_park_main},
    {"several", sc_several},
    {"sleeper_wakes_main", sc_sleeper_wakes_main},
    {"main_sleeps", sc_main_sleeps},
    {"goexit_others_finish", sc_goexit_others_finish},
    {"goexit_others_blocked", sc_goexit_others_blocked},
    {0},
};

/* ---- helpers ---------------------------------------------------------------------------------- */

static char out[65536];

static int run(const char *name)
{
    return tu_run_scenario(name, out, sizeof out);
}

static void expect_status(int st, int code)
{
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == code, "status %#x, want exit %d:\n%s", st,
                  code, out);
}

static const char *expect(const char *needle)
{
    const char *p = strstr(out, needle);
    ck_assert_msg(p != NULL, "no \"%s\" in:\n%s", needle, out);
    return p;
}

static void expect_not(const char *needle)
{
    ck_assert_msg(strstr(out, needle) == NULL, "unexpected \"%s\" in:\n%s", needle, out);
}

/* The dump section of goroutine `id`: from its header to the next blank line. */
static void goroutine_section(int id, char *sec, size_t cap)
{
    char hdr[64];
    snprintf(hdr, sizeof hdr, "goroutine %d [", id);
    const char *p = expect(hdr), *e = strstr(p, "\n\n");
    size_t n = e ? (size_t)(e - p) : strlen(p);
    n = n < cap - 1 ? n : cap - 1;
    memcpy(sec, p, n);
    sec[n] = 0;
}

/* ---- tests ------------------------------------------------------------------------------------ */

START_TEST(test_deadlock_main_on_waitgroup)
{
    expect_status(run("wg_main"), 2);
    const char *head = DEADLOCK "goroutine 1 [semacquire]:\n";
    ck_assert_msg(strncmp(out, head, strlen(head)) == 0, "output:\n%s", out);
    expect("\nsc_wg_main()\n\t");
    expect("test_deadlock.c:");
}
END_TEST

START_TEST(test_deadlock_main_on_mutex)
{
    expect_status(run("mutex_main"), 2);
    expect(DEADLOCK "goroutine 1 [semacquire]:\nsc_mutex_main()\n");
}
END_TEST

START_TEST(test_deadlock_main_on_channel)
{
    expect_status(run("chan_main"), 2);
    expect(DEADLOCK "goroutine 1 [chan receive]:\nsc_chan_main()\n\t");
}
END_TEST

/* The parked goroutine's frames come from its saved context; the runtime's are hidden. */
START_TEST(test_deadlock_stack_is_symbolized_and_user_first)
{
    expect_status(run("park_main"), 2);
    const char *p = expect(DEADLOCK "goroutine 1 [chan receive]:\npark_forever()\n\t");
    p = strstr(p, "test_deadlock.c:");
    ck_assert_msg(p && strstr(p, " +0x"), "no file:line +0x.. in:\n%s", out);
    const char *q = expect("\nsc_park_main()\n\t");
    ck_assert_msg(q > p, "frames out of order:\n%s", out);
    expect("\nmain()\n\t");
    expect_not("sched_park");
    expect_not("switch_away");
    expect_not("__libc_start");
}
END_TEST

START_TEST(test_deadlock_lists_every_goroutine_in_id_order)
{
    char sec[4096];
    expect_status(run("several"), 2);
    expect(DEADLOCK "goroutine 1 [chan receive]:\nsc_several()\n");
    goroutine_section(2, sec, sizeof sec);
    ck_assert_msg(strstr(sec, "goroutine 2 [chan send]:\nblocked_sender()\n\t"), "%s", out);
    ck_assert_msg(strstr(sec, "\ncreated by sc_several() in goroutine 1\n\t"), "%s", out);
    goroutine_section(3, sec, sizeof sec);
    ck_assert_msg(strstr(sec, "goroutine 3 [semacquire]:\nblocked_locker()\n\t"), "%s", out);
    goroutine_section(4, sec, sizeof sec);
    ck_assert_msg(strstr(sec, "goroutine 4 [semacquire]:\nblocked_waiter()\n\t"), "%s", out);
    ck_assert(strstr(out, "goroutine 1 [") < strstr(out, "goroutine 2 ["));
    ck_assert(strstr(out, "goroutine 2 [") < strstr(out, "goroutine 3 ["));
    ck_assert(strstr(out, "goroutine 3 [") < strstr(out, "goroutine 4 ["));
    expect_not("goroutine 5 [");
    expect_not("chan_send()");
    expect_not("mutex_lock()");
}
END_TEST

/* procs = 1 with one seed is deterministic, and so is the dump (no raw addresses). */
START_TEST(test_deadlock_report_is_reproducible)
{
    if (tu_procs() > 1)
        return;
    static char first[sizeof out];
    expect_status(run("several"), 2);
    strcpy(first, out);
    expect_status(run("several"), 2);
    ck_assert_str_eq(first, out);
}
END_TEST

START_TEST(test_no_deadlock_while_a_sleeper_can_wake_main)
{
    expect_status(run("sleeper_wakes_main"), 0);
    ck_assert_str_eq(out, "woke 1\n");
}
END_TEST

START_TEST(test_no_deadlock_while_main_sleeps)
{
    expect_status(run("main_sleeps"), 0);
    ck_assert_str_eq(out, "slept\n");
}
END_TEST

START_TEST(test_goexit_main_then_others_finish)
{
    expect_status(run("goexit_others_finish"), 2);
    ck_assert_str_eq(out, "worker done\n"
                          "fatal error: no goroutines (main called runtime.Goexit) - deadlock!\n");
}
END_TEST

START_TEST(test_goexit_main_others_blocked)
{
    expect_status(run("goexit_others_blocked"), 2);
    expect(DEADLOCK "goroutine 2 [semacquire]:\nblocked_waiter()\n");
    expect_not("goroutine 1 [");
}
END_TEST

int main(void)
{
    tu_scenario_main(scenarios);
    Suite *s = suite_create("deadlock");
    TCase *tc = tu_tcase(s, "main_blocked", 30);
    tcase_add_test(tc, test_deadlock_main_on_waitgroup);
    tcase_add_test(tc, test_deadlock_main_on_mutex);
    tcase_add_test(tc, test_deadlock_main_on_channel);
    tcase_add_test(tc, test_deadlock_stack_is_symbolized_and_user_first);
    tc = tu_tcase(s, "several", 30);
    tcase_add_test(tc, test_deadlock_lists_every_goroutine_in_id_order);
    tcase_add_test(tc, test_deadlock_report_is_reproducible);
    tc = tu_tcase(s, "sleepers", 30);
    tcase_add_test(tc, test_no_deadlock_while_a_sleeper_can_wake_main);
    tcase_add_test(tc, test_no_deadlock_while_main_sleeps);
    tc = tu_tcase(s, "goexit", 30);
    tcase_add_test(tc, test_goexit_main_then_others_finish);
    tcase_add_test(tc, test_goexit_main_others_blocked);
    return tu_run(s);
}
