/* racedemo check, parsing and verdicts: what a run's output and status mean, how findings
 * of many runs fold into one answer, and which exit code that answer gets. */
#define TU_IMPLEMENTATION
#include "testutil.h"
#include "cli/check_impl.h"

#include <signal.h>
#include <stdint.h>
#include <sys/stat.h>
#include <string.h>
#include <sys/wait.h>

/* A report in the detector's (Go's) format; the addresses and goroutine ids differ from
 * one schedule to the next, the stacks do not. */
static const char race_a[] =
    "==================\n"
    "WARNING: DATA RACE\n"
    "Write at 0x7f0000001000 by goroutine 7:\n"
    "  next()\n"
    "      prog.c:12 +0x44\n"
    "  go_entry()\n"
    "      runtime/sched.c:300 +0x10\n"
    "\n"
    "Previous read at 0x7f0000001000 by goroutine 6:\n"
    "  next()\n"
    "\tprog.c:11 +0x3a\n"
    "\n"
    "Goroutine 7 (running) created at:\n"
    "  main()\n"
    "      prog.c:20 +0x84\n"
    "==================\n";

/* The same race seen the other way round in another schedule. */
static const char race_a_swapped[] =
    "==================\n"
    "WARNING: DATA RACE\n"
    "Read at 0x7f0000009000 by goroutine 3:\n"
    "  next()\n"
    "      prog.c:11 +0x3a\n"
    "\n"
    "Previous write at 0x7f0000009000 by goroutine 4:\n"
    "  next()\n"
    "      prog.c:12 +0x44\n"
    "  go_entry()\n"
    "      runtime/sched.c:300 +0x10\n"
    "==================\n";

static const char race_b[] =
    "==================\n"
    "WARNING: DATA RACE\n"
    "Write at 0x55000000 by main goroutine:\n"
    "  main()\n"
    "      prog.c:30 +0x1\n"
    "\n"
    "Previous write at 0x55000000 by goroutine 2:\n"
    "  worker()\n"
    "      prog.c:25 +0x2\n"
    "==================\n";

static const char deadlock[] =
    "fatal error: all goroutines are asleep - deadlock!\n"
    "\n"
    "goroutine 1 [chan receive]:\n"
    "main()\n"
    "\tprog.c:9 +0x55\n";

static const char nil_deref[] =
    "panic: runtime error: invalid memory address or nil pointer dereference\n"
    "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x401000]\n"
    "\n"
    "goroutine 5 [running]:\n"
    "crash()\n"
    "\tprog.c:4 +0x9\n";

static const char closed_send[] =
    "panic: send on closed channel\n"
    "\n"
    "goroutine 1 [running]:\n"
    "main()\n"
    "\tprog.c:17 +0x20\n";

static sbx_result status_exit(int code)
{
    sbx_result r = {0};
    r.status = code << 8; /* WIFEXITED with WEXITSTATUS == code */
    return r;
}

static sbx_result status_signal(int sig)
{
    sbx_result r = {0};
    r.status = sig;
    return r;
}

START_TEST(test_race_report_parsed_with_both_stacks)
{
    finding_list l = {0};
    sbx_result res = status_exit(66);
    rep_parse_run("program output\n", race_a, &res, 10, 4, &l);
    ck_assert_int_eq(l.n, 1);
    finding *f = &l.v[0];
    ck_assert_int_eq(f->kind, FK_RACE);
    ck_assert_int_eq(f->nstacks, 3);
    ck_assert_uint_eq(f->first_seed, 4);
    const frame *loc = rep_location(f), *rel = rep_related(f);
    ck_assert_ptr_nonnull(loc);
    ck_assert_str_eq(loc->file, "prog.c");
    ck_assert_int_eq(loc->line, 12);
    ck_assert_str_eq(loc->func, "next()");
    ck_assert_ptr_nonnull(rel);
    ck_assert_int_eq(rel->line, 11);
    ck_assert_ptr_nonnull(strstr(f->report, "Previous read at"));
    finding_list_free(&l);
}
END_TEST

/* A close racing with a send: each stack starts with the operation's own frame, in the
 * runtime's source; the finding points at the user's calls below them. */
static const char race_close_send[] =
    "==================\n"
    "WARNING: DATA RACE\n"
    "Write at 0x5555555d5de0 by main goroutine:\n"
    "  chan_close()\n"
    "      /src/racedemo/runtime/chan.c:394\n"
    "  main()\n"
    "      prog.c:32 +0x6d\n"
    "\n"
    "Previous read at 0x5555555d5de0 by goroutine 2:\n"
    "  chan_send()\n"
    "      /src/racedemo/runtime/chan.c:322\n"
    "  sender()\n"
    "      prog.c:20 +0x35\n"
    "==================\n";

START_TEST(test_channel_operation_race_points_at_the_user_calls)
{
    finding_list l = {0};
    sbx_result res = status_exit(66);
    rep_parse_run("", race_close_send, &res, 10, 1, &l);
    ck_assert_int_eq(l.n, 1);
    const frame *loc = rep_location(&l.v[0]), *rel = rep_related(&l.v[0]);
    ck_assert_ptr_nonnull(loc);
    ck_assert_str_eq(loc->func, "main()");
    ck_assert_int_eq(loc->line, 32);
    ck_assert_ptr_nonnull(rel);
    ck_assert_str_eq(rel->func, "sender()");
    ck_assert_int_eq(rel->line, 20);
    finding_list_free(&l);
}
END_TEST

/* A libc call the detector checks shows as its own top frame, in detector/intercept*.c. */
static const char race_libc_calls[] =
    "==================\n"
    "WARNING: DATA RACE\n"
    "Write at 0x55555558e500 by goroutine 2:\n"
    "  snprintf()\n"
    "      /src/racedemo/detector/intercept_io.c:284\n"
    "  filler()\n"
    "      p1.c:6 +0x2f\n"
    "\n"
    "Previous read at 0x55555558e500 by main goroutine:\n"
    "  printf()\n"
    "      /src/racedemo/detector/intercept_io.c:268\n"
    "  main()\n"
    "      p1.c:11 +0x4f\n"
    "==================\n";

START_TEST(test_libc_call_race_points_at_the_user_calls)
{
    finding_list l = {0};
    sbx_result res = status_exit(66);
    rep_parse_run("", race_libc_calls, &res, 10, 1, &l);
    ck_assert_int_eq(l.n, 1);
    const frame *loc = rep_location(&l.v[0]), *rel = rep_related(&l.v[0]);
    ck_assert_ptr_nonnull(loc);
    ck_assert_str_eq(loc->func, "filler()");
    ck_assert_int_eq(loc->line, 6);
    ck_assert_ptr_nonnull(rel);
    ck_assert_str_eq(rel->func, "main()");
    ck_assert_int_eq(rel->line, 11);
    finding_list_free(&l);
}
END_TEST

START_TEST(test_race_dedupe_ignores_addresses_ids_and_order)
{
    finding_list a = {0}, b = {0};
    sbx_result res = status_exit(66);
    rep_parse_run("", race_a, &res, 10, 1, &a);
    rep_parse_run("", race_a_swapped, &res, 10, 2, &b);
    ck_assert_int_eq(a.n, 1);
    ck_assert_int_eq(b.n, 1);
    ck_assert_str_eq(a.v[0].key, b.v[0].key);
    finding_list_free(&a);
    finding_list_free(&b);
}
END_TEST

START_TEST(test_distinct_races_stay_distinct_and_repeats_collapse)
{
    char both[4096];
    snprintf(both, sizeof both, "%s%s%s", race_a, race_b, race_a);
    finding_list l = {0};
    sbx_result res = status_exit(66);
    rep_parse_run("", both, &res, 10, 1, &l);
    ck_assert_int_eq(l.n, 2);
    ck_assert_str_ne(l.v[0].key, l.v[1].key);
    finding_list_free(&l);
}
END_TEST

START_TEST(test_race_reported_on_stderr_when_there_is_no_log)
{
    finding_list l = {0};
    sbx_result res = status_exit(66);
    rep_parse_run(race_b, NULL, &res, 10, 1, &l);
    ck_assert_int_eq(l.n, 1);
    ck_assert_int_eq(l.v[0].kind, FK_RACE);
    ck_assert_int_eq(rep_location(&l.v[0])->line, 30);
    finding_list_free(&l);
}
END_TEST

START_TEST(test_race_survives_exit_zero)
{
    /* the program called exit(0) / _exit(0) after racing: the log still tells */
    finding_list l = {0};
    sbx_result res = status_exit(0);
    rep_parse_run("", race_a, &res, 10, 1, &l);
    ck_assert_int_eq(l.n, 1);
    ck_assert_int_eq(l.v[0].kind, FK_RACE);
    finding_list_free(&l);
}
END_TEST

START_TEST(test_deadlock_message_and_location)
{
    finding_list l = {0};
    sbx_result res = status_exit(2);
    rep_parse_run(deadlock, "", &res, 10, 3, &l);
    ck_assert_int_eq(l.n, 1);
    ck_assert_int_eq(l.v[0].kind, FK_DEADLOCK);
    ck_assert_str_eq(l.v[0].message, "fatal error: all goroutines are asleep - deadlock!");
    ck_assert_int_eq(rep_location(&l.v[0])->line, 9);
    finding_list_free(&l);
}
END_TEST

/* detector/lockorder.c's report: the cycle A => B => A, closed by either edge */
#define LOCK_EDGE(to, who, from, line_to, line_from)                             \
    "\nMutex " to " acquired by " who " while holding mutex " from ":\n"          \
    "  pthread_mutex_lock()\n"                                                  \
    "      /src/racedemo/runtime/pthread.c:495\n"                               \
    "  worker()\n"                                                              \
    "      lo.c:" line_to " +0x79\n"                                            \
    "\nMutex " from " previously acquired by the same goroutine here:\n"         \
    "  pthread_mutex_lock()\n"                                                  \
    "      /src/racedemo/runtime/pthread.c:495\n"                               \
    "  worker()\n"                                                              \
    "      lo.c:" line_from " +0x71\n"
static const char lock_ab[] =
    "==================\n"
    "WARNING: LOCK ORDER INVERSION (potential deadlock)\n"
    "Cycle in lock order graph: mutex 0x1 => mutex 0x2 => mutex 0x1\n"
    LOCK_EDGE("0x2", "goroutine 3", "0x1", "12", "11")
    LOCK_EDGE("0x1", "goroutine 2", "0x2", "20", "19")
    "==================\n"
    "Found 1 potential deadlock(s) (lock-order inversions)\n";
static const char lock_ba[] =
    "==================\n"
    "WARNING: LOCK ORDER INVERSION (potential deadlock)\n"
    "Cycle in lock order graph: mutex 0x7 => mutex 0x6 => mutex 0x7\n"
    LOCK_EDGE("0x7", "goroutine 5", "0x6", "20", "19")
    LOCK_EDGE("0x6", "goroutine 4", "0x7", "12", "11")
    "==================\n";

/* a potential deadlock is a deadlock finding at the user's lock call, one finding
 * whichever edge closed the cycle, and exit status 66 is explained by it */
START_TEST(test_lock_order_inversion_is_a_deadlock_finding)
{
    finding_list a = {0}, b = {0};
    sbx_result res = status_exit(66);
    rep_parse_run("output\n", lock_ab, &res, 10, 1, &a);
    rep_parse_run("", lock_ba, &res, 10, 2, &b);
    ck_assert_int_eq(a.n, 1);
    ck_assert_int_eq(a.v[0].kind, FK_DEADLOCK);
    ck_assert_str_eq(a.v[0].message, "lock-order inversion (potential deadlock)");
    const frame *loc = rep_location(&a.v[0]);
    ck_assert_ptr_nonnull(loc);
    ck_assert_str_eq(loc->func, "worker()");
    ck_assert_int_eq(loc->line, 12);
    ck_assert_int_eq(b.n, 1);
    ck_assert_str_eq(a.v[0].key, b.v[0].key);
    finding_list_free(&a);
    finding_list_free(&b);
}
END_TEST

START_TEST(test_runtime_signal_is_a_crash_and_panic_a_runtime_error)
{
    finding_list l = {0};
    sbx_result res = status_exit(2);
    rep_parse_run(nil_deref, "", &res, 10, 1, &l);
    ck_assert_int_eq(l.n, 1);
    ck_assert_int_eq(l.v[0].kind, FK_CRASH);
    ck_assert_ptr_nonnull(strstr(l.v[0].message, "SIGSEGV"));
    finding_list_free(&l);
    rep_parse_run(closed_send, "", &res, 10, 1, &l);
    ck_assert_int_eq(l.n, 1);
    ck_assert_int_eq(l.v[0].kind, FK_RUNTIME);
    ck_assert_str_eq(l.v[0].message, "panic: send on closed channel");
    ck_assert_int_eq(rep_location(&l.v[0])->line, 17);
    finding_list_free(&l);
}
END_TEST

START_TEST(test_status_only_findings)
{
    finding_list l = {0};
    sbx_result res = status_signal(SIGSEGV);
    rep_parse_run("", "", &res, 10, 1, &l);
    ck_assert_int_eq(l.n, 1);
    ck_assert_int_eq(l.v[0].kind, FK_CRASH);
    ck_assert_ptr_nonnull(strstr(l.v[0].message, "SIGSEGV"));
    finding_list_free(&l);

    res = status_exit(3);
    rep_parse_run("", "", &res, 10, 1, &l);
    ck_assert_int_eq(l.v[0].kind, FK_EXIT);
    ck_assert_str_eq(l.v[0].message, "exit status 3");
    finding_list_free(&l);

    res = status_exit(0);
    res.timed_out = true;
    rep_parse_run("", "", &res, 10, 1, &l);
    ck_assert_int_eq(l.v[0].kind, FK_TIMEOUT);
    finding_list_free(&l);

    res = status_signal(SIGXCPU);
    rep_parse_run("", "", &res, 10, 1, &l);
    ck_assert_int_eq(l.v[0].kind, FK_TIMEOUT);
    finding_list_free(&l);

    res = status_exit(0);
    rep_parse_run("hello\n", "", &res, 10, 1, &l);
    ck_assert_int_eq(l.n, 0);
}
END_TEST

START_TEST(test_status_66_without_report_is_not_silently_clean)
{
    finding_list l = {0};
    sbx_result res = status_exit(66);
    rep_parse_run("", "", &res, 10, 1, &l);
    ck_assert_int_eq(l.n, 1);
    ck_assert_int_eq(l.v[0].kind, FK_EXIT);
    finding_list_free(&l);
}
END_TEST

START_TEST(test_leak_report_at_normal_exit)
{
    static const char leak[] =
        "done\n"
        "racedemo: goroutine leak: 2 goroutine(s) still alive when the program exited\n"
        "\n"
        "goroutine 2 [chan receive]:\n"
        "stuck()\n"
        "\tprog.c:7 +0x1b\n"
        "created by main() in goroutine 1\n"
        "\tprog.c:14 +0x30\n";
    finding_list l = {0};
    sbx_result res = status_exit(0);
    rep_parse_run(leak, "", &res, 10, 1, &l);
    ck_assert_int_eq(l.n, 1);
    ck_assert_int_eq(l.v[0].kind, FK_LEAK);
    ck_assert_int_eq(rep_location(&l.v[0])->line, 7);
    finding_list_free(&l);
}
END_TEST

START_TEST(test_addresses_do_not_split_a_finding)
{
    finding_list a = {0}, b = {0};
    sbx_result res = status_exit(2);
    rep_parse_run("unexpected fault address 0x7f1234560000\nfatal error: fault\n\ngoroutine 1 [running]:\n"
                  "main()\n\tprog.c:5 +0x1\n", "", &res, 10, 1, &a);
    rep_parse_run("unexpected fault address 0x7fabcdef0000\nfatal error: fault\n\ngoroutine 1 [running]:\n"
                  "main()\n\tprog.c:5 +0x1\n", "", &res, 10, 2, &b);
    ck_assert_int_eq(a.v[0].kind, FK_CRASH);
    ck_assert_str_eq(a.v[0].key, b.v[0].key);
    finding_list_free(&a);
    finding_list_free(&b);
}
END_TEST

/* ---- verdicts ---------------------------------------------------------------------------- */

static check_opts vopts = {.runs = 3, .seed = 1, .procs = 1, .strategy = "random", .timeout_s = 2};

static void merge_run(check_result *r, const char *log, int code, uint64_t seed)
{
    finding_list l = {0};
    sbx_result res = status_exit(code);
    rep_parse_run("", log, &res, 10, seed, &l);
    vd_merge(r, &l);
}

START_TEST(test_merge_keeps_lowest_seed_whatever_the_order)
{
    check_result r = {.opts = &vopts, .compiled = true};
    merge_run(&r, race_a_swapped, 66, 9);
    merge_run(&r, race_a, 66, 4);
    merge_run(&r, race_a, 66, 7);
    vd_finish(&r);
    ck_assert_int_eq(r.findings.n, 1);
    ck_assert_int_eq(r.findings.v[0].count, 3);
    ck_assert_uint_eq(r.findings.v[0].first_seed, 4);
    /* the stacks shown are those of seed 4, so the replay line reproduces them */
    ck_assert_ptr_nonnull(strstr(r.findings.v[0].report, "Write at 0x7f0000001000"));
    char *replay = vd_replay_cmd(&r, &r.findings.v[0]);
    ck_assert_ptr_nonnull(strstr(replay, "--runs 1 --seed 4 --procs 1"));
    free(replay);
    /* and under the same memory limit: a run killed for memory must replay as a crash */
    check_opts mem = vopts;
    mem.mem_mb = 256;
    r.opts = &mem;
    replay = vd_replay_cmd(&r, &r.findings.v[0]);
    ck_assert_msg(strstr(replay, " --mem 256"), "%s", replay);
    free(replay);
    r.opts = &vopts;
    vd_result_free(&r);
}
END_TEST

START_TEST(test_exit_code_precedence)
{
    check_result r = {.opts = &vopts, .compiled = true};
    ck_assert_int_eq(vd_exit_code(&r), CHECK_EXIT_CLEAN);
    ck_assert_str_eq(vd_verdict(&r), "clean");
    finding_list l = {0};
    sbx_result to = status_exit(0);
    to.timed_out = true;
    to.limit_s = 0.5;
    to.wall_s = 0.63; /* killed late on a loaded machine: the message names the limit */
    rep_parse_run("", "", &to, 10, 1, &l);
    ck_assert_str_eq(l.v[0].message, "timed out after 0.5 s (wall clock)");
    vd_merge(&r, &l);
    ck_assert_int_eq(vd_exit_code(&r), CHECK_EXIT_TIMEOUT);
    merge_run(&r, "", 0, 1);
    finding_list d = {0};
    sbx_result two = status_exit(2);
    rep_parse_run(deadlock, "", &two, 10, 2, &d);
    vd_merge(&r, &d);
    ck_assert_int_eq(vd_exit_code(&r), CHECK_EXIT_FAIL);
    ck_assert_str_eq(vd_verdict(&r), "deadlock");
    merge_run(&r, race_b, 66, 3);
    ck_assert_int_eq(vd_exit_code(&r), CHECK_EXIT_RACE);
    ck_assert_str_eq(vd_verdict(&r), "race");
    r.compiled = false;
    ck_assert_int_eq(vd_exit_code(&r), CHECK_EXIT_COMPILE);
    vd_result_free(&r);
    ck_assert_int_ne(CHECK_EXIT_FAIL, CHECK_EXIT_TIMEOUT);
    ck_assert_int_ne(CHECK_EXIT_COMPILE, CHECK_EXIT_USAGE);
}
END_TEST

START_TEST(test_usage_errors_exit_2)
{
    char *argv1[] = {"check", NULL};
    char *argv2[] = {"check", "--runs", "zero", "x.c", NULL};
    char *argv3[] = {"check", "--bogus", "1", "x.c", NULL};
    char *argv4[] = {"check", "/nonexistent/racedemo.c", NULL};
    char *argv5[] = {"check", "--format", "yaml", "x.c", NULL};
    fclose(stderr); /* keep the messages out of the test log */
    ck_assert_int_eq(check_main(1, argv1), CHECK_EXIT_USAGE);
    ck_assert_int_eq(check_main(4, argv2), CHECK_EXIT_USAGE);
    ck_assert_int_eq(check_main(4, argv3), CHECK_EXIT_USAGE);
    ck_assert_int_eq(check_main(2, argv4), CHECK_EXIT_USAGE);
    ck_assert_int_eq(check_main(4, argv5), CHECK_EXIT_USAGE);
}
END_TEST

/* Each usage error names what is wrong, on one line. */
static char **usage_argv;
static void usage_child(void *argc)
{
    exit(check_main((int)(intptr_t)argc, usage_argv));
}

static void assert_usage_says(int argc, char **argv, const char *want)
{
    char buf[1024];
    usage_argv = argv;
    int st = tu_fork_capture(usage_child, (void *)(intptr_t)argc, buf, sizeof buf);
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == CHECK_EXIT_USAGE, "%s: status %#x", argv[1], st);
    ck_assert_msg(strstr(buf, want) && strchr(buf, '\n') == buf + strlen(buf) - 1,
                  "want one line with \"%s\", got: %s", want, buf);
}

START_TEST(test_usage_errors_say_what_is_wrong)
{
    char dir[] = "/tmp/racedemo-usage-XXXXXX", empty[64], py[64], c[64];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(empty, sizeof empty, "%s/empty", dir);
    snprintf(py, sizeof py, "%s/hello.py", dir);
    snprintf(c, sizeof c, "%s/ok.c", dir);
    ck_assert_int_eq(mkdir(empty, 0755), 0);
    FILE *f = fopen(py, "w");
    fputs("print('hi')\n", f);
    fclose(f);
    f = fopen(c, "w");
    fputs("int main(void) { return 0; }\n", f);
    fclose(f);
    char *a1[] = {"check", c, "--fail-fst", NULL};
    assert_usage_says(3, a1, "unknown option '--fail-fst'");
    char *a2[] = {"check", c, "--runs", NULL};
    assert_usage_says(3, a2, "--runs needs a value");
    char *a3[] = {"check", py, NULL};
    assert_usage_says(2, a3, "hello.py: not a C source file");
    char *a4[] = {"check", dir, NULL};
    assert_usage_says(2, a4, ": is a directory");
    char *a5[] = {"check", "--batch", c, NULL};
    assert_usage_says(3, a5, "ok.c: not a directory");
    char *a6[] = {"check", "--batch", empty, NULL};
    assert_usage_says(3, a6, "empty: no submissions");
    char *a7[] = {"check", "--cc", "racedemo-no-such-cc", c, NULL};
    assert_usage_says(4, a7, "compiler 'racedemo-no-such-cc' not found");
    sbx_rmtree(dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("check_report");
    TCase *tc = tu_tcase(s, "parse", 10);
    tcase_add_test(tc, test_race_report_parsed_with_both_stacks);
    tcase_add_test(tc, test_race_dedupe_ignores_addresses_ids_and_order);
    tcase_add_test(tc, test_channel_operation_race_points_at_the_user_calls);
    tcase_add_test(tc, test_libc_call_race_points_at_the_user_calls);
    tcase_add_test(tc, test_distinct_races_stay_distinct_and_repeats_collapse);
    tcase_add_test(tc, test_race_reported_on_stderr_when_there_is_no_log);
    tcase_add_test(tc, test_race_survives_exit_zero);
    tcase_add_test(tc, test_deadlock_message_and_location);
    tcase_add_test(tc, test_lock_order_inversion_is_a_deadlock_finding);
    tcase_add_test(tc, test_runtime_signal_is_a_crash_and_panic_a_runtime_error);
    tcase_add_test(tc, test_status_only_findings);
    tcase_add_test(tc, test_status_66_without_report_is_not_silently_clean);
    tcase_add_test(tc, test_leak_report_at_normal_exit);
    tcase_add_test(tc, test_addresses_do_not_split_a_finding);
    tc = tu_tcase(s, "verdict", 10);
    tcase_add_test(tc, test_merge_keeps_lowest_seed_whatever_the_order);
    tcase_add_test(tc, test_exit_code_precedence);
    tcase_add_test(tc, test_usage_errors_exit_2);
    tcase_add_test(tc, test_usage_errors_say_what_is_wrong);
    return tu_run(s);
}
