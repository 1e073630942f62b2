/* Leak suite: RACEDEMO_LEAKCHECK reports goroutines still alive at exit, and only them. */
#define TU_IMPLEMENTATION
#include "testutil.h"

#include <stdio.h>
#include <string.h>

static chan_t *never;

static void stuck(void *arg)
{
    (void)arg;
    int v;
    chan_recv(never, &v);
}

static void leak_two_then_exit(void)
{
    never = chan_make(sizeof(int), 0);
    go(stuck, NULL);
    go(stuck, NULL);
    waitgroup_t wg = {0};
    wg_add(&wg, 0);
    go_yield();
    go_yield();
    exit(0);
}

static void finished(void *arg)
{
    wg_done(arg);
}

static void no_leak_then_exit(void)
{
    static waitgroup_t wg;
    wg_add(&wg, 3);
    for (int i = 0; i < 3; i++)
        go(finished, &wg);
    wg_wait(&wg);
    exit(0);
}

START_TEST(test_leak_reported)
{
    char out[8192];
    setenv("RACEDEMO_LEAKCHECK", "1", 1);
    int st = tu_capture(leak_two_then_exit, out, sizeof out);
    ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    ck_assert_msg(strstr(out, "goroutine leak: 2 goroutine(s)"), "got: %s", out);
    ck_assert_msg(strstr(out, "[chan receive]"), "got: %s", out);
}
END_TEST

START_TEST(test_no_leak_no_report)
{
    char out[8192];
    setenv("RACEDEMO_LEAKCHECK", "1", 1);
    int st = tu_capture(no_leak_then_exit, out, sizeof out);
    ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    ck_assert_msg(!strstr(out, "leak"), "got: %s", out);
}
END_TEST

START_TEST(test_leakcheck_off_by_default)
{
    char out[8192];
    unsetenv("RACEDEMO_LEAKCHECK");
    int st = tu_capture(leak_two_then_exit, out, sizeof out);
    ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    ck_assert_msg(!strstr(out, "leak"), "got: %s", out);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("leak");
    TCase *tc = tu_tcase(s, "leak", 30);
    tcase_add_test(tc, test_leak_reported);
    tcase_add_test(tc, test_no_leak_no_report);
    tcase_add_test(tc, test_leakcheck_off_by_default);
    return tu_run(s);
}
