/* Schedule exploration suite: the random and PCT strategies of runtime/explore.c.
 *
 * A strategy is chosen from the environment when the runtime starts, so each scenario
 * runs in a fresh process: this binary re-executes itself as `test_explore --child NAME`
 * with RACEDEMO_SEED / RACEDEMO_STRATEGY set, and the test reads what the child printed
 * and how many preemption points it passed (RACEDEMO_EXPLORE_FD, a memfd).  The children
 * call sched_preempt_point() where an instrumented program's detector would: before every
 * shared access. */
#define _GNU_SOURCE
#define TU_IMPLEMENTATION
#include "testutil.h"
#include "rt.h"

#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>

/* ---- the child scenarios ------------------------------------------------------------ */

static int32_t child_done;
static int shared_a;
static char trace[4096];
static int ntrace;

static void child_mark(char who)
{
    if (ntrace < (int)sizeof trace - 1)
        trace[ntrace++] = who;
}

/* the tutorial's next(&a): c := *v; *v = c + 1, with the detector's preemption points */
static void child_next(void *arg)
{
    char who = (char)(intptr_t)arg;
    sched_preempt_point();
    child_mark(who);
    int c = shared_a;
    sched_preempt_point();
    child_mark(who);
    shared_a = c + 1;
    atomic_add_int32(&child_done, 1);
}

static void child_join(int32_t n)
{
    while (atomic_load_int32(&child_done) < n)
        go_yield();
}

static int scenario_next(void)
{
    for (int i = 0; i < 3; i++)
        go(child_next, (void *)(intptr_t)('A' + i));
    child_join(3);
    trace[ntrace] = 0;
    printf("a=%d trace=%s\n", shared_a, trace);
    return 0;
}

/* A depth-2 ordering bug: B publishes x = 1, works for a while, then checks that nobody
 * touched x.  The bug needs A's update after B's publish (1st ordering) and before B's
 * check (2nd ordering). */
static int shared_x;

static void child_depth2_b(void *arg)
{
    (void)arg;
    sched_preempt_point();
    shared_x = 1;
    for (int i = 0; i < 8; i++)
        sched_preempt_point(); /* B's other work */
    sched_preempt_point();
    if (shared_x == 2)
        printf("bug\n");
    atomic_add_int32(&child_done, 1);
}

static void child_depth2_a(void *arg)
{
    (void)arg;
    sched_preempt_point();
    if (shared_x == 1)
        shared_x = 2;
    atomic_add_int32(&child_done, 1);
}

static int scenario_depth2(void)
{
    go(child_depth2_b, NULL);
    go(child_depth2_a, NULL);
    child_join(2);
    printf("done\n");
    return 0;
}

/* Three goroutines share a spin lock that yields while it waits: under PCT the highest
 * of two spinners must not keep the CPU from the holder for good. */
static int32_t spin;
static int spun;

static void child_spinner(void *arg)
{
    (void)arg;
    for (int i = 0; i < 20; i++) {
        while (!atomic_cas_int32(&spin, 0, 1))
            go_yield();
        int v = spun;
        sched_preempt_point(); /* the holder may be preempted inside */
        spun = v + 1;
        atomic_store_int32(&spin, 0);
    }
    atomic_add_int32(&child_done, 1);
}

static int scenario_spinlock(void)
{
    for (int i = 0; i < 3; i++)
        go(child_spinner, NULL);
    child_join(3);
    printf("spun=%d\n", spun);
    return 0;
}

static int child_main(const char *name)
{
    if (!strcmp(name, "spinlock"))
        return scenario_spinlock();
    if (!strcmp(name, "next"))
        return scenario_next();
    if (!strcmp(name, "depth2"))
        return scenario_depth2();
    return 3;
}

/* ---- the parent side ------------------------------------------------------------------- */

static char self_exe[4096];

typedef struct child_result {
    char out[8192];
    uint64_t steps;
    int status;
} child_result;

/* Run `self --child name` with env `RACEDEMO_SEED=seed RACEDEMO_STRATEGY=strategy` plus
 * `extra` (NULL-terminated, may be NULL). */
static void run_child(child_result *r, const char *name, long seed, const char *strategy,
                      const char *const *extra)
{
    int mfd = memfd_create("explore", 0);
    ck_assert_int_ge(mfd, 0);
    ck_assert_int_eq(ftruncate(mfd, 4096), 0);
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        char e_seed[64], e_strat[64], e_fd[64];
        snprintf(e_seed, sizeof e_seed, "RACEDEMO_SEED=%ld", seed);
        snprintf(e_strat, sizeof e_strat, "RACEDEMO_STRATEGY=%s", strategy);
        snprintf(e_fd, sizeof e_fd, "RACEDEMO_EXPLORE_FD=%d", mfd);
        /* extras first: getenv() takes the first match, so they override the defaults */
        const char *env[16];
        int ne = 0;
        for (int i = 0; extra && extra[i] && ne < 11; i++)
            env[ne++] = extra[i];
        env[ne++] = e_seed;
        env[ne++] = e_strat;
        env[ne++] = e_fd;
        env[ne++] = "RACEDEMO_PROCS=1";
        env[ne] = NULL;
        dup2(fds[1], 1);
        dup2(fds[1], 2);
        close(fds[0]);
        char *argv[] = {self_exe, "--child", (char *)name, NULL};
        execve(self_exe, argv, (char **)env);
        _exit(127);
    }
    close(fds[1]);
    size_t n = 0;
    ssize_t k;
    while ((k = read(fds[0], r->out + n, sizeof r->out - 1 - n)) > 0)
        n += (size_t)k;
    r->out[n] = 0;
    close(fds[0]);
    waitpid(pid, &r->status, 0);
    uint64_t *steps = mmap(NULL, 4096, PROT_READ, MAP_SHARED, mfd, 0);
    ck_assert_ptr_ne(steps, MAP_FAILED);
    r->steps = *steps;
    munmap(steps, 4096);
    close(mfd);
}

static int result_a(const child_result *r)
{
    int a = -1;
    ck_assert_msg(sscanf(r->out, "a=%d", &a) == 1, "unexpected child output: %s", r->out);
    return a;
}

START_TEST(test_same_seed_same_schedule)
{
    static const char *strategies[] = {"random", "pct"};
    for (int s = 0; s < 2; s++) {
        int distinct = 0;
        char first[8192] = "";
        for (long seed = 1; seed <= 10; seed++) {
            child_result a, b;
            run_child(&a, "next", seed, strategies[s], NULL);
            run_child(&b, "next", seed, strategies[s], NULL);
            ck_assert_int_eq(a.status, 0);
            ck_assert_str_eq(a.out, b.out);
            ck_assert_uint_eq(a.steps, b.steps);
            if (seed == 1)
                strcpy(first, a.out);
            else
                distinct |= strcmp(first, a.out) != 0;
        }
        ck_assert_msg(distinct, "%s: ten seeds gave one schedule", strategies[s]);
    }
}
END_TEST

START_TEST(test_random_finds_all_outcomes_of_next)
{
    bool seen[4] = {false};
    for (long seed = 1; seed <= 100; seed++) {
        child_result r;
        run_child(&r, "next", seed, "random", NULL);
        int a = result_a(&r);
        ck_assert_int_ge(a, 1);
        ck_assert_int_le(a, 3);
        seen[a] = true;
        ck_assert_uint_ge(r.steps, 6); /* two preemption points per next() */
    }
    ck_assert(seen[1] && seen[2] && seen[3]);
}
END_TEST

START_TEST(test_no_strategy_never_preempts)
{
    static const char *no_switch[] = {"RACEDEMO_PREEMPT=0", NULL};
    for (long seed = 1; seed <= 20; seed++) {
        child_result r, z;
        run_child(&r, "next", seed, "none", NULL);
        ck_assert_int_eq(result_a(&r), 3);
        ck_assert_uint_eq(r.steps, 0); /* hooks not installed */
        run_child(&z, "next", seed, "random", no_switch);
        ck_assert_int_eq(result_a(&z), 3);
        ck_assert_uint_ge(z.steps, 6);
    }
}
END_TEST

START_TEST(test_pct_finds_depth2_bug)
{
    child_result probe;
    run_child(&probe, "depth2", 1, "pct", NULL);
    uint64_t k = probe.steps;
    ck_assert_uint_gt(k, 10);
    char steps_env[64];
    snprintf(steps_env, sizeof steps_env, "RACEDEMO_PCT_STEPS=%llu", (unsigned long long)k);
    const char *env[] = {"RACEDEMO_PCT_DEPTH=2", steps_env, NULL};
    const int runs = 300, n = 3; /* goroutines: main, A, B */
    int hits = 0, first = 0;
    for (int seed = 1; seed <= runs; seed++) {
        child_result r;
        run_child(&r, "depth2", seed, "pct", env);
        ck_assert_int_eq(r.status, 0);
        if (strstr(r.out, "bug")) {
            hits++;
            if (!first)
                first = seed;
        }
    }
    /* PCT's guarantee: probability >= 1/(n k^(d-1)) per run, here 1/(n k) */
    ck_assert_msg(first > 0, "pct never found the depth-2 bug in %d runs", runs);
    ck_assert_msg((double)hits / runs >= 1.0 / ((double)n * (double)k),
                  "pct found the bug in %d of %d runs, below 1/(n k) with k=%llu", hits, runs,
                  (unsigned long long)k);
}
END_TEST

START_TEST(test_pct_depth1_runs_by_priority)
{
    /* with no change point a goroutine is only preempted for a higher one; B (spawned
     * first) either runs all 10 points without A, or A runs entirely before B checks,
     * so the bug needs two orderings PCT-1 cannot make */
    const char *env[] = {"RACEDEMO_PCT_DEPTH=1", NULL};
    for (int seed = 1; seed <= 50; seed++) {
        child_result r;
        run_child(&r, "depth2", seed, "pct", env);
        ck_assert_int_eq(r.status, 0);
        ck_assert_msg(!strstr(r.out, "bug"), "seed %d: depth-1 PCT found a depth-2 bug", seed);
    }
}
END_TEST

START_TEST(test_pct_spin_loops_make_progress)
{
    for (int seed = 1; seed <= 40; seed++) {
        child_result r;
        run_child(&r, "spinlock", seed, "pct", NULL);
        ck_assert_msg(r.status == 0 && strstr(r.out, "spun=60"), "seed %d: status %#x: %s",
                      seed, r.status, r.out);
    }
}
END_TEST

START_TEST(test_bad_strategy_is_rejected)
{
    child_result r;
    run_child(&r, "next", 1, "fifo", NULL);
    ck_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 2);
    ck_assert_ptr_nonnull(strstr(r.out, "RACEDEMO_STRATEGY=fifo"));
}
END_TEST

START_TEST(test_no_preemption_at_procs2)
{
    const char *env[] = {"RACEDEMO_PROCS=2", NULL};
    child_result r;
    run_child(&r, "next", 1, "random", env);
    ck_assert_int_eq(r.status, 0);
    ck_assert_uint_eq(r.steps, 0); /* the OS interleaves; exploration stays out */
}
END_TEST

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "--child"))
        return child_main(argv[2]);
    ssize_t n = readlink("/proc/self/exe", self_exe, sizeof self_exe - 1);
    if (n <= 0)
        return EXIT_FAILURE;
    self_exe[n] = 0;
    Suite *s = suite_create("explore");
    TCase *tc = tu_tcase(s, "strategies", 60);
    tcase_add_test(tc, test_same_seed_same_schedule);
    tcase_add_test(tc, test_random_finds_all_outcomes_of_next);
    tcase_add_test(tc, test_no_strategy_never_preempts);
    tcase_add_test(tc, test_pct_finds_depth2_bug);
    tcase_add_test(tc, test_pct_depth1_runs_by_priority);
    tcase_add_test(tc, test_pct_spin_loops_make_progress);
    tcase_add_test(tc, test_bad_strategy_is_rejected);
    tcase_add_test(tc, test_no_preemption_at_procs2);
    return tu_run(s);
}
