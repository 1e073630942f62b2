/*
 * testutil.h - shared scaffolding for the Check suites.  Every test runs in its own forked
 * process with a timeout (Check's fork mode), so a deadlock or crash fails one test and
 * never hangs the run.  TEST_PROCS selects procs inside the child.
 */
#ifndef RACEDEMO_TESTUTIL_H
#define RACEDEMO_TESTUTIL_H

#include <check.h>
#include <goroutine.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static inline void tu_setup(void)
{
    const char *p = getenv("TEST_PROCS");
    if (p && atoi(p) > 1)
        go_maxprocs(atoi(p));
}

/* Wall time in seconds (monotonic): for bounds on how long something may take. */
static inline double tu_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline int tu_procs(void)
{
    const char *p = getenv("TEST_PROCS");
    return p ? atoi(p) : 1;
}

/* A test case with the per-test setup and a timeout in seconds. */
static inline TCase *tu_tcase(Suite *s, const char *name, double timeout)
{
    TCase *tc = tcase_create(name);
    tcase_add_checked_fixture(tc, tu_setup, NULL);
    tcase_set_timeout(tc, timeout);
    suite_add_tcase(s, tc);
    return tc;
}

static inline int tu_run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_FORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* Fork; the child, with stdout and stderr on a pipe, runs child(arg) and exits 0 if it
 * returns.  The parent drains the pipe into buf (NUL-terminated, truncated to cap, the rest
 * read and dropped so the child never blocks) and returns the child's wait status. */
static inline int tu_fork_capture(void (*child)(void *), void *arg, char *buf, size_t cap)
{
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        dup2(fds[1], 1);
        dup2(fds[1], 2);
        child(arg);
        fflush(stdout);
        _exit(0);
    }
    close(fds[1]);
    size_t n = 0;
    char sink[4096];
    for (;;) {
        ssize_t r = n < cap - 1 ? read(fds[0], buf + n, cap - 1 - n) : read(fds[0], sink, sizeof sink);
        if (r <= 0)
            break;
        if (n < cap - 1)
            n += (size_t)r;
    }
    buf[n] = 0;
    close(fds[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    return st;
}

/* Run fn in a forked child with stdout/stderr captured into buf (NUL-terminated).
 * Returns the child's wait status.  For tests of fatal errors that exit the process. */
int tu_capture(void (*fn)(void), char *buf, size_t cap);

#endif

#ifdef TU_IMPLEMENTATION
struct tu_capture_fn {
    void (*fn)(void);
};

static void tu_capture_child(void *arg)
{
    tu_setup();
    ((struct tu_capture_fn *)arg)->fn();
}

int tu_capture(void (*fn)(void), char *buf, size_t cap)
{
    struct tu_capture_fn f = {fn};
    return tu_fork_capture(tu_capture_child, &f, buf, cap);
}
#endif
