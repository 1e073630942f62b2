/* racedemo check end to end, on an adversarial corpus of student programs (this
 * directory): each is checked through check_main() exactly as `racedemo check` would,
 * with few runs and short timeouts, and the verdict, exit code and key facts of the JSON
 * report are asserted.  Every hostile program bounds itself (at most 200 forks, 2 GB). */
#define TU_IMPLEMENTATION
#include "testutil.h"
#include "cli/check_impl.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#define CORPUS CHECK_CORPUS_DIR "/"

typedef struct outcome {
    int code;
    char json[1 << 16];
    double secs;
} outcome;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Run `racedemo check ARGS --format json -j JOBS` in a child; collect its exit code and
 * report. */
static void run_check_j(outcome *o, const char *const *args, const char *jobs)
{
    char out[] = "/tmp/racedemo-corpus-XXXXXX";
    int fd = mkstemp(out);
    ck_assert_int_ge(fd, 0);
    close(fd);
    char procs[16];
    snprintf(procs, sizeof procs, "%d", tu_procs());
    const char *argv[64] = {"check"};
    int n = 1;
    for (; args[n - 1]; n++)
        argv[n] = args[n - 1];
    const char *tail[] = {"--format", "json", "--output", out, "--procs", procs, "-j", jobs, NULL};
    for (int i = 0; tail[i]; i++)
        argv[n++] = tail[i];
    argv[n] = NULL;
    double t0 = now_s();
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, 2);
        _exit(check_main(n, (char **)argv));
    }
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    o->secs = now_s() - t0;
    ck_assert(WIFEXITED(st));
    o->code = WEXITSTATUS(st);
    FILE *f = fopen(out, "r");
    ck_assert_ptr_nonnull(f);
    size_t len = fread(o->json, 1, sizeof o->json - 1, f);
    o->json[len] = 0;
    fclose(f);
    unlink(out);
}

static void run_check(outcome *o, const char *const *args) { run_check_j(o, args, "2"); }

static void check_one(outcome *o, const char *file, const char *runs, const char *timeout)
{
    const char *args[] = {file, "--runs", runs, "--timeout", timeout, NULL};
    run_check(o, args);
}

static void expect(const outcome *o, int code, const char *verdict)
{
    char want[64];
    snprintf(want, sizeof want, "\"verdict\": \"%s\"", verdict);
    if (o->code != code || !strstr(o->json, want))
        fprintf(stderr, "report:\n%s\n", o->json);
    ck_assert_int_eq(o->code, code);
    ck_assert_ptr_nonnull(strstr(o->json, want));
}

static outcome o;

START_TEST(test_racy_program_reported_with_both_lines_and_replay)
{
    check_one(&o, CORPUS "racy.c", "10", "5");
    expect(&o, CHECK_EXIT_RACE, "race");
    ck_assert_ptr_nonnull(strstr(o.json, "racy.c\", \"line\": 12}"));  /* *v = c + 1 */
    ck_assert_ptr_nonnull(strstr(o.json, "racy.c\", \"line\": 11}"));  /* int c = *v */
    ck_assert_ptr_nonnull(strstr(o.json, "\"replay\": \"racedemo check "));
    ck_assert_ptr_nonnull(strstr(o.json, "--runs 1 --seed 1 "));
}
END_TEST

START_TEST(test_racy_program_built_by_clang)
{
    const char *args[] = {CORPUS "racy.c", "--cc", "clang", "--runs", "5", NULL};
    run_check(&o, args);
    expect(&o, CHECK_EXIT_RACE, "race");
    ck_assert_ptr_nonnull(strstr(o.json, "clang -fsanitize=thread"));
}
END_TEST

START_TEST(test_clean_program_passes)
{
    check_one(&o, CORPUS "clean.c", "10", "5");
    expect(&o, CHECK_EXIT_CLEAN, "clean");
    ck_assert_ptr_nonnull(strstr(o.json, "\"done\": 10, \"failed\": 0"));
}
END_TEST

START_TEST(test_race_then_exit0)
{
    check_one(&o, CORPUS "race_then_exit0.c", "3", "5");
    expect(&o, CHECK_EXIT_RACE, "race");
}
END_TEST

START_TEST(test_race_then_underscore_exit)
{
    check_one(&o, CORPUS "race_then_underscore_exit.c", "3", "5");
    expect(&o, CHECK_EXIT_RACE, "race");
}
END_TEST

START_TEST(test_race_then_abort)
{
    check_one(&o, CORPUS "race_then_abort.c", "3", "5");
    expect(&o, CHECK_EXIT_RACE, "race");
    ck_assert_ptr_nonnull(strstr(o.json, "\"crash\": 1")); /* the abort is reported too */
}
END_TEST

START_TEST(test_race_then_infinite_loop)
{
    check_one(&o, CORPUS "race_then_loop.c", "2", "1");
    expect(&o, CHECK_EXIT_RACE, "race");
    ck_assert_ptr_nonnull(strstr(o.json, "\"timeout\": 1"));
}
END_TEST

START_TEST(test_race_after_closing_stdout_and_stderr)
{
    check_one(&o, CORPUS "race_closed_stdio.c", "3", "5");
    expect(&o, CHECK_EXIT_RACE, "race");
}
END_TEST

START_TEST(test_race_after_closing_every_fd_and_reusing_them)
{
    check_one(&o, CORPUS "race_closed_fds.c", "3", "5");
    expect(&o, CHECK_EXIT_RACE, "race");
    ck_assert_ptr_nonnull(strstr(o.json, "race_closed_fds.c\", \"line\": 14}"));
}
END_TEST

START_TEST(test_infinite_loop_times_out_and_stops_early)
{
    check_one(&o, CORPUS "infinite_loop.c", "20", "0.5");
    expect(&o, CHECK_EXIT_TIMEOUT, "timeout");
    /* after 3 timeouts the remaining runs are skipped, not waited for */
    const char *sk = strstr(o.json, "\"skipped\": ");
    ck_assert_ptr_nonnull(sk);
    ck_assert_int_ge(atoi(sk + 11), 20 - 3 - 2); /* 3 timed out, at most 2 more in flight */
}
END_TEST

/* What must not depend on -j: the report but its config, compile commands (a temporary
 * directory's name) and elapsed time. */
static void runs_part(const outcome *x, char *buf, size_t n)
{
    const char *v = strstr(x->json, "\"verdict\""), *c = strstr(x->json, "\"compile\"");
    const char *r = strstr(x->json, "\"runs\": {"), *e = strstr(x->json, "\"elapsed_s\"");
    const char *t = strstr(x->json, "\"output_truncated\"");
    if (!(v && c && r && e && t && v < c && r < e && e < t))
        fprintf(stderr, "report:\n%s\n", x->json);
    ck_assert(v && c && r && e && t && v < c && r < e && e < t);
    snprintf(buf, n, "%.*s%.*s%s", (int)(c - v), v, (int)(e - r), r, t);
}

/* Runs finish out of seed order with several jobs (the racing ones first, the hanging
 * ones at the timeout), but they are judged in seed order: the check stops at the third
 * timeout in seed order (seed 5), and counts, findings and first seeds are the same for
 * 1 and 4 jobs, every time. */
START_TEST(test_stop_after_timeouts_is_decided_in_seed_order)
{
    const char *args[] = {CORPUS "seed_hang_or_race.c", "--runs", "12", "--timeout", "0.5", "--seed", "1", NULL};
    static char want[1 << 16], got[1 << 16];
    run_check_j(&o, args, "1");
    runs_part(&o, want, sizeof want);
    if (!strstr(want, "\"done\": 5, \"failed\": 5, \"skipped\": 7"))
        fprintf(stderr, "report:\n%s\n", o.json);
    ck_assert_ptr_nonnull(strstr(want, "\"done\": 5, \"failed\": 5, \"skipped\": 7"));
    for (int i = 0; i < 2; i++) {
        run_check_j(&o, args, "4");
        runs_part(&o, got, sizeof got);
        if (strcmp(got, want))
            fprintf(stderr, "with -j 1:\n%s\nwith -j 4:\n%s\n", want, got);
        ck_assert(!strcmp(got, want));
    }
}
END_TEST

START_TEST(test_fork_loop_is_bounded_and_cleaned_up)
{
    check_one(&o, CORPUS "fork_loop.c", "2", "5");
    expect(&o, CHECK_EXIT_CLEAN, "clean");
    ck_assert_ptr_nonnull(strstr(o.json, "forked "));
}
END_TEST

START_TEST(test_huge_malloc_stopped_by_the_memory_limit)
{
    const char *args[] = {CORPUS "malloc_100g.c", "--runs", "1", "--timeout", "10", "--mem", "512", NULL};
    run_check(&o, args);
    expect(&o, CHECK_EXIT_FAIL, "crash");
    ck_assert_ptr_nonnull(strstr(o.json, "memory limit exceeded"));
}
END_TEST

START_TEST(test_disk_budget_of_the_scratch_directory)
{
    check_one(&o, CORPUS "disk_fill.c", "1", "10");
    if (geteuid() == 0 && sbx_private_mounts()) /* root, allowed to mount (not every container) */
        expect(&o, CHECK_EXIT_CLEAN, "clean"); /* a 64 MB tmpfs stopped it */
    else
        expect(&o, CHECK_EXIT_FAIL, "exit-status"); /* no scratch tmpfs: documented */
}
END_TEST

START_TEST(test_gigabyte_of_output_is_drained_and_truncated)
{
    check_one(&o, CORPUS "output_1g.c", "1", "20");
    expect(&o, CHECK_EXIT_CLEAN, "clean");
    ck_assert_ptr_nonnull(strstr(o.json, "\"output_truncated\": true"));
}
END_TEST

START_TEST(test_stack_overflow_is_a_crash)
{
    check_one(&o, CORPUS "stack_overflow.c", "1", "5");
    expect(&o, CHECK_EXIT_FAIL, "crash");
    ck_assert_ptr_nonnull(strstr(o.json, "stack overflow"));
}
END_TEST

START_TEST(test_segfault_is_a_crash)
{
    check_one(&o, CORPUS "segfault.c", "1", "5");
    expect(&o, CHECK_EXIT_FAIL, "crash");
    ck_assert_ptr_nonnull(strstr(o.json, "SIGSEGV"));
    ck_assert_ptr_nonnull(strstr(o.json, "segfault.c\", \"line\": 10}"));
}
END_TEST

START_TEST(test_deadlock_reported_with_go_message)
{
    check_one(&o, CORPUS "deadlock.c", "2", "5");
    expect(&o, CHECK_EXIT_FAIL, "deadlock");
    ck_assert_ptr_nonnull(strstr(o.json, "fatal error: all goroutines are asleep - deadlock!"));
}
END_TEST

START_TEST(test_send_on_closed_channel_is_a_runtime_error)
{
    check_one(&o, CORPUS "send_closed.c", "1", "5");
    expect(&o, CHECK_EXIT_FAIL, "runtime-error");
    ck_assert_ptr_nonnull(strstr(o.json, "panic: send on closed channel"));
}
END_TEST

START_TEST(test_goroutine_leak_at_exit)
{
    check_one(&o, CORPUS "leak.c", "2", "5");
    expect(&o, CHECK_EXIT_FAIL, "leak");
}
END_TEST

START_TEST(test_own_tsan_symbols_do_not_link)
{
    check_one(&o, CORPUS "own_tsan.c", "1", "5");
    expect(&o, CHECK_EXIT_COMPILE, "compile-error");
    ck_assert_ptr_nonnull(strstr(o.json, "multiple definition of `__tsan_"));
}
END_TEST

START_TEST(test_main_in_two_files_does_not_link)
{
    const char *args[] = {CORPUS "two_main_a.c", CORPUS "two_main_b.c", "--runs", "1", NULL};
    run_check(&o, args);
    expect(&o, CHECK_EXIT_COMPILE, "compile-error");
    ck_assert_ptr_nonnull(strstr(o.json, "multiple definition of `main'"));
}
END_TEST

START_TEST(test_compile_error_passes_the_message_through)
{
    check_one(&o, CORPUS "no_compile.c", "1", "5");
    expect(&o, CHECK_EXIT_COMPILE, "compile-error");
    ck_assert_ptr_nonnull(strstr(o.json, "no_compile.c:5:5: error: expected"));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("check_corpus");
    TCase *tc = tu_tcase(s, "races", 60);
    tcase_add_test(tc, test_racy_program_reported_with_both_lines_and_replay);
    tcase_add_test(tc, test_racy_program_built_by_clang);
    tcase_add_test(tc, test_clean_program_passes);
    tcase_add_test(tc, test_race_then_exit0);
    tcase_add_test(tc, test_race_then_underscore_exit);
    tcase_add_test(tc, test_race_then_abort);
    tcase_add_test(tc, test_race_then_infinite_loop);
    tcase_add_test(tc, test_race_after_closing_stdout_and_stderr);
    tcase_add_test(tc, test_race_after_closing_every_fd_and_reusing_them);
    tc = tu_tcase(s, "hostile", 60);
    tcase_add_test(tc, test_infinite_loop_times_out_and_stops_early);
    tcase_add_test(tc, test_stop_after_timeouts_is_decided_in_seed_order);
    tcase_add_test(tc, test_fork_loop_is_bounded_and_cleaned_up);
    tcase_add_test(tc, test_huge_malloc_stopped_by_the_memory_limit);
    tcase_add_test(tc, test_disk_budget_of_the_scratch_directory);
    tcase_add_test(tc, test_gigabyte_of_output_is_drained_and_truncated);
    tc = tu_tcase(s, "failures", 60);
    tcase_add_test(tc, test_stack_overflow_is_a_crash);
    tcase_add_test(tc, test_segfault_is_a_crash);
    tcase_add_test(tc, test_deadlock_reported_with_go_message);
    tcase_add_test(tc, test_send_on_closed_channel_is_a_runtime_error);
    tcase_add_test(tc, test_goroutine_leak_at_exit);
    tc = tu_tcase(s, "build", 60);
    tcase_add_test(tc, test_own_tsan_symbols_do_not_link);
    tcase_add_test(tc, test_main_in_two_files_does_not_link);
    tcase_add_test(tc, test_compile_error_passes_the_message_through);
    return tu_run(s);
}
