/* racedemo check, sandbox: the limits every untrusted run gets, proved with shell
 * programs (the C corpus in tests/check/ proves them again through `racedemo check`).
 * Every loop here is bounded by the test itself, so a broken limit fails a test instead
 * of taking the machine down. */
#define TU_IMPLEMENTATION
#include "testutil.h"
#include "cli/check_impl.h"

#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

static char scratch[64];

/* Slots claimed per test process: TEST_PROCS=1 and =2 run in parallel under ctest. */
static void sandbox_setup(void)
{
    ck_assert(sbx_claim_slots(2));
    strcpy(scratch, "/tmp/racedemo-sbx-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(scratch));
    uid_t uid;
    gid_t gid;
    sbx_user(0, &uid, &gid);
    if (sbx_is_root())
        ck_assert_int_eq(chown(scratch, uid, gid), 0);
}

static void sandbox_teardown(void) { sbx_rmtree(scratch); }

static void run_sh(const char *script, double timeout, sbx_result *res)
{
    char *argv[] = {"/bin/sh", "-c", (char *)script, NULL};
    char *envp[] = {"PATH=/usr/bin:/bin", "RACEDEMO_MARK=sandboxed", NULL};
    uid_t uid;
    gid_t gid;
    sbx_user(0, &uid, &gid);
    sbx_spec spec = {.argv = argv, .envp = envp, .cwd = scratch, .drop = sbx_is_root(), .uid = uid,
                     .gid = gid,
                     .lim = {.wall_s = timeout, .cpu_s = 5, .as_mb = 512, .rss_mb = 256, .fsize_mb = 1,
                             .nproc = sbx_is_root() ? 16 : sbx_user_tasks(getuid()) + 64,
                             .out_cap = 4096}};
    memset(res, 0, sizeof *res);
    sbx_run(&spec, 0, res);
}

START_TEST(test_wall_clock_timeout_kills_the_group)
{
    sbx_result r;
    double t0 = tu_now_s();
    /* the loop also forks a sleeper that would outlive a kill of the shell alone */
    run_sh("sleep 30 & i=0; while [ $i -lt 100000000 ]; do i=$((i+1)); done", 0.5, &r);
    ck_assert(r.timed_out);
    ck_assert(WIFSIGNALED(r.status) && WTERMSIG(r.status) == SIGKILL);
    ck_assert_double_lt(tu_now_s() - t0, 10.0); /* not the sleeper's 30 s (generous: CI is loaded) */
    sbx_result_free(&r);
}
END_TEST

START_TEST(test_output_capped_but_drained)
{
    sbx_result r;
    double t0 = tu_now_s();
    /* 64 MB through a pipe whose reader keeps only 4 KB: must not block the writer */
    run_sh("head -c 67108864 /dev/zero | tr '\\0' x; echo done >&2", 20, &r);
    ck_assert(!r.timed_out);
    ck_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
    ck_assert(r.out_truncated);
    ck_assert_uint_eq(r.out.len, 4096);
    ck_assert_str_eq(sb_str(&r.err), "done\n");
    ck_assert_double_lt(tu_now_s() - t0, 30.0);
    sbx_result_free(&r);
}
END_TEST

START_TEST(test_closed_stdout_then_running_still_ends)
{
    sbx_result r;
    run_sh("exec >&- 2>&-; sleep 0.2; exit 7", 5, &r);
    ck_assert(!r.timed_out);
    ck_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 7);
    sbx_result_free(&r);
}
END_TEST

START_TEST(test_environment_is_built_not_inherited)
{
    setenv("RACEDEMO_SECRET_TOKEN", "hunter2", 1);
    sbx_result r;
    run_sh("env; pwd", 5, &r);
    ck_assert_ptr_null(strstr(sb_str(&r.out), "hunter2"));
    ck_assert_ptr_nonnull(strstr(sb_str(&r.out), "RACEDEMO_MARK=sandboxed"));
    ck_assert_ptr_nonnull(strstr(sb_str(&r.out), scratch));
    sbx_result_free(&r);
}
END_TEST

START_TEST(test_file_size_limit)
{
    sbx_result r;
    run_sh("head -c 4194304 /dev/zero > big; echo $? >&2; wc -c < big", 5, &r);
    /* 1 MB limit: the write dies with SIGXFSZ (head's status 153) and the file stops there */
    ck_assert_ptr_nonnull(strstr(sb_str(&r.out), "1048576"));
    sbx_result_free(&r);
}
END_TEST

START_TEST(test_resident_memory_limit)
{
    sbx_result r;
    /* 400 MB touched against the 256 MB limit, fast enough for the 5 s CPU limit (a shell
     * building the string in a variable needed ~20 s of CPU and died of SIGXCPU first) */
    run_sh("exec python3 -c \"import time; x = b'x' * 400000000; time.sleep(20)\"", 10, &r);
    ck_assert(r.mem_exceeded);
    ck_assert(!r.timed_out);
    ck_assert_int_gt(r.peak_rss_mb, 256);
    ck_assert(WIFSIGNALED(r.status) && WTERMSIG(r.status) == SIGKILL);
    sbx_result_free(&r);
}
END_TEST

START_TEST(test_fds_closed_and_stdin_empty)
{
    sbx_result r;
    run_sh("ls /proc/self/fd | tr '\\n' ' '; cat", 5, &r);
    /* 0 1 2 and the fd ls uses for the directory: nothing of racedemo's leaks in */
    ck_assert_str_eq(sb_str(&r.out), "0 1 2 3 ");
    sbx_result_free(&r);
}
END_TEST

START_TEST(test_root_runs_as_unprivileged_user)
{
    if (!sbx_is_root())
        return; /* nothing to drop */
    sbx_result r;
    uid_t uid;
    gid_t gid;
    sbx_user(0, &uid, &gid);
    run_sh("id -u; id -g; id -G; cat /etc/shadow >/dev/null 2>&1 || echo denied", 5, &r);
    char want[128];
    snprintf(want, sizeof want, "%u\n%u\n%u\ndenied\n", (unsigned)uid, (unsigned)gid, (unsigned)gid);
    ck_assert_str_eq(sb_str(&r.out), want);
    sbx_result_free(&r);
}
END_TEST

START_TEST(test_root_process_limit_holds_and_sweep_kills_escapees)
{
    if (!sbx_is_root())
        return; /* RLIMIT_NPROC is only meaningful per dedicated uid */
    sbx_result r;
    /* at most 200 background sleepers, each in its own session (escaping the group) */
    run_sh("i=0; while [ $i -lt 200 ]; do i=$((i+1)); "
           "(echo x; exec setsid sleep 60) 2>/dev/null & done; sleep 0.5", 10, &r);
    int alive = 0;
    for (const char *p = sb_str(&r.out); *p; p++)
        alive += *p == 'x';
    ck_assert_int_gt(alive, 0);
    ck_assert_int_le(alive, 16); /* the limit, not the 200 the loop asked for */
    uid_t uid;
    gid_t gid;
    sbx_user(0, &uid, &gid);
    /* /proc lists zombies too: racedemo reaps its runs' orphans itself (subreaper) */
    ck_assert_int_eq(sbx_user_tasks(uid), 0); /* setsid sleepers included */
    sbx_result_free(&r);
}
END_TEST

typedef struct pool_ctx {
    int started, done, max_running, running;
    int slot_busy[4];
} pool_ctx;

static bool pool_prepare(void *ctx, int job, int slot, sbx_spec *spec)
{
    pool_ctx *c = ctx;
    static char *argv[] = {"/bin/sh", "-c", "sleep 0.1", NULL};
    static char *envp[] = {"PATH=/usr/bin:/bin", NULL};
    (void)job;
    ck_assert_int_eq(c->slot_busy[slot], 0);
    c->slot_busy[slot] = 1;
    c->started++;
    if (++c->running > c->max_running)
        c->max_running = c->running;
    uid_t uid;
    gid_t gid;
    sbx_user(slot, &uid, &gid);
    *spec = (sbx_spec){.argv = argv, .envp = envp, .cwd = "/", .drop = sbx_is_root(), .uid = uid,
                       .gid = gid, .lim = {.wall_s = 5, .out_cap = 1024}};
    return true;
}

static void pool_done(void *ctx, int job, int slot, sbx_result *res)
{
    pool_ctx *c = ctx;
    (void)job;
    ck_assert(WIFEXITED(res->status));
    c->slot_busy[slot] = 0;
    c->running--;
    c->done++;
    sbx_result_free(res);
}

START_TEST(test_pool_runs_in_parallel_with_unique_slots)
{
    pool_ctx c = {0};
    sbx_run_pool(6, 2, pool_prepare, pool_done, &c);
    ck_assert_int_eq(c.done, 6);
    ck_assert_int_eq(c.max_running, 2); /* two at a time, never more */
}
END_TEST

int main(void)
{
    Suite *s = suite_create("check_sandbox");
    TCase *tc = tu_tcase(s, "sandbox", 30);
    tcase_add_checked_fixture(tc, sandbox_setup, sandbox_teardown);
    tcase_add_test(tc, test_wall_clock_timeout_kills_the_group);
    tcase_add_test(tc, test_output_capped_but_drained);
    tcase_add_test(tc, test_closed_stdout_then_running_still_ends);
    tcase_add_test(tc, test_environment_is_built_not_inherited);
    tcase_add_test(tc, test_file_size_limit);
    tcase_add_test(tc, test_resident_memory_limit);
    tcase_add_test(tc, test_fds_closed_and_stdin_empty);
    tcase_add_test(tc, test_root_runs_as_unprivileged_user);
    tcase_add_test(tc, test_root_process_limit_holds_and_sweep_kills_escapees);
    tcase_add_test(tc, test_pool_runs_in_parallel_with_unique_slots);
    return tu_run(s);
}
