/*
 * check.h - `racedemo check` (issue 5): compile a student's program with race
 * instrumentation, run it under many seeded schedules in a sandbox, and report every
 * distinct race, deadlock, crash, runtime error, timeout and leak in a format a person or
 * a CI system reads.
 *
 * The CLI (cli/main.c) hands check_main() the arguments after "racedemo" (argv[0] is
 * "check").  The modules:
 *   check_toolchain.c  where goroutine.h and libracedemo live; compile and link commands
 *   check_sandbox.c    one untrusted run: rlimits, uid drop, timeout, capped output
 *   check_report.c     a run's stderr and detector log -> findings (parsing only)
 *   check_verdict.c    findings of all runs -> distinct findings, verdict, exit code
 *   check_format.c     text, JSON, JUnit XML, SARIF 2.1.0, GitHub Actions
 *   check_batch.c      --batch DIR: one submission per subfolder, in parallel
 *   check_main.c       options and the single-submission driver
 * Their shared declarations are in check_impl.h.
 */
#ifndef RACEDEMO_CHECK_H
#define RACEDEMO_CHECK_H

/* `racedemo check ARGS...`: argv[0] is "check".  Returns the exit status below. */
int check_main(int argc, char **argv);

/* Monotonic wall time in seconds, for timeouts and elapsed times (the CLI's too). */
double check_now_s(void);

/* ---- exit codes (docs/check.md) -------------------------------------------------------- */

enum {
    CHECK_EXIT_CLEAN = 0,
    CHECK_EXIT_USAGE = 2,     /* bad flag or argument: the CLI's usage-error status */
    CHECK_EXIT_RACE = 66,     /* at least one data race (Go's -race status) */
    CHECK_EXIT_FAIL = 67,     /* deadlock, crash, runtime error, non-zero exit, leak */
    CHECK_EXIT_TIMEOUT = 68,  /* a run hit the wall-clock or CPU limit */
    CHECK_EXIT_COMPILE = 69,  /* the submission does not compile or link */
    CHECK_EXIT_INTERNAL = 70, /* racedemo itself could not work (sandbox setup...) */
};

#endif
