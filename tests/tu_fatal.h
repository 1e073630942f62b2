/*
 * tu_fatal.h - run a scenario that ends the process (Go panic, fatal error, deadlock) in
 * a fresh exec of the test binary and capture what it prints.
 *
 * Why exec and not fork: a forked child of a procs=2 test holds only one of the runtime's
 * threads, so the scheduler's view of its Ms is wrong there.  A fresh exec starts the
 * runtime from scratch with RACEDEMO_PROCS = TEST_PROCS, exactly as a user program would.
 *
 * Use: a table `static const tu_scenario scenarios[] = {{"name", fn}, {0}};`, then
 * `tu_scenario_main(scenarios);` first thing in main(), and in a test
 * `int st = tu_run_scenario("name", buf, sizeof buf);`.
 */
#ifndef RACEDEMO_TU_FATAL_H
#define RACEDEMO_TU_FATAL_H

#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct tu_scenario {
    const char *name;
    void (*fn)(void);
} tu_scenario;

#define TU_SCENARIO_ENV "TU_SCENARIO"

/* In the exec'd child: run the named scenario as the main goroutine and exit 0 if it
 * returns.  In the test runner: return and let main go on. */
static inline void tu_scenario_main(const tu_scenario *table)
{
    const char *want = getenv(TU_SCENARIO_ENV);
    if (!want)
        return;
    for (const tu_scenario *s = table; s->name; s++) {
        if (strcmp(s->name, want) == 0) {
            s->fn();
            fflush(stdout);
            exit(0);
        }
    }
    fprintf(stderr, "unknown scenario %s\n", want);
    exit(99);
}

/* Exec this binary on scenario `name` with stdout+stderr captured into buf (NUL-terminated,
 * truncated to cap).  Returns the wait status. */
static inline void tu_scenario_exec(void *name)
{
    const char *p = getenv("TEST_PROCS");
    setenv("RACEDEMO_PROCS", p ? p : "1", 1);
    setenv(TU_SCENARIO_ENV, name, 1);
    execl("/proc/self/exe", "tu_scenario", (char *)NULL);
    _exit(98);
}

static inline int tu_run_scenario(const char *name, char *buf, size_t cap)
{
    return tu_fork_capture(tu_scenario_exec, (void *)name, buf, cap);
}

/* Assert a scenario died with Go's exit status 2 and printed `want` and `also` ("" for nothing more). */
#define tu_assert_fatal(name, want, also)                                       \
    do {                                                                        \
        char tu_buf_[8192];                                                     \
        int tu_st_ = tu_run_scenario((name), tu_buf_, sizeof tu_buf_);          \
        ck_assert_msg(WIFEXITED(tu_st_) && WEXITSTATUS(tu_st_) == 2,            \
                      "scenario %s: status %#x, output:\n%s", (name), tu_st_, tu_buf_); \
        ck_assert_msg(strstr(tu_buf_, (want)) != NULL,                          \
                      "scenario %s: no \"%s\" in:\n%s", (name), (want), tu_buf_); \
        ck_assert_msg(strstr(tu_buf_, (also)) != NULL,                          \
                      "scenario %s: no \"%s\" in:\n%s", (name), (also), tu_buf_); \
    } while (0)

#endif
