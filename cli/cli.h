/*
 * cli.h - the racedemo command's internal interface: the demo table (demos.c), the
 * subprocess runner (run.c), the analysis of a variant's runs (analyze.c) and the two
 * reports, text (text.c) and JSON (json.c).
 *
 * Ownership: a cli_variant_result owns its runs' captured output and its outcome table;
 * cli_results_free releases everything.  Nothing here is shared between threads (the
 * CLI is single-threaded; concurrency comes from child processes).
 */
#ifndef RACEDEMO_CLI_H
#define RACEDEMO_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- the demo table (demos.c) ------------------------------------------------------- */

enum cli_role { ROLE_RACY, ROLE_FIX, ROLE_PLAIN };

typedef struct cli_variant {
    const char *name;      /* --variant NAME */
    const char *program;   /* executable and source base name: demos/<program>.c */
    enum cli_role role;    /* racy original, a fix of it, or a plain step (no race) */
    const char *summary;   /* one line for `help` */
} cli_variant;

#define CLI_MAX_VARIANTS 4

typedef struct cli_demo {
    const char *name;
    const char *section;   /* the tutorial's section it comes from */
    const char *what;      /* one sentence, from the tutorial */
    const char *lesson;    /* what to look at in the results (help text) */
    bool timing;           /* show wall time per variant (the parallel demo) */
    int default_runs;      /* 0: CLI_DEFAULT_RUNS */
    int nvariants;
    cli_variant variants[CLI_MAX_VARIANTS];
} cli_demo;

#define CLI_DEFAULT_RUNS 50

extern const cli_demo cli_demos[];
extern const int cli_ndemos;
const cli_demo *cli_demo_find(const char *name);
const cli_variant *cli_variant_find(const cli_demo *d, const char *name);

/* ---- options ------------------------------------------------------------------------- */

typedef struct cli_opts {
    const char *variant;   /* NULL: all */
    int runs;              /* schedules per variant */
    bool runs_given;
    uint64_t seed;         /* first seed; run i uses seed + i */
    bool seed_given;       /* --seed without --runs: replay one schedule verbatim */
    int procs;
    const char *strategy;  /* random | pct */
    int pct_depth;
    bool json, color;
    int columns;           /* terminal width for the text report */
    double timeout_s;      /* wall-clock limit per run */
} cli_opts;

/* ---- running one program many times (run.c) ------------------------------------------ */

typedef struct cli_run {
    uint64_t seed;
    int status;            /* waitpid status; valid unless timed_out */
    bool timed_out, truncated;
    char *out, *err;       /* captured stdout / stderr, NUL-terminated, owned */
    size_t nout, nerr;
    uint64_t steps;        /* preemption points passed (RACEDEMO_EXPLORE_FD) */
    double wall_s;
    double cpu_s;          /* user + system time of the process */
} cli_run;

typedef struct cli_job {
    const char *path;      /* executable */
    uint64_t seed;
    int procs;
    const char *strategy;
    int pct_depth;
    uint64_t pct_steps;    /* 0: leave RACEDEMO_PCT_STEPS unset */
    int preempt;           /* -1: default; else RACEDEMO_PREEMPT */
} cli_job;

/* Called after each finished run with (done, total). */
typedef void (*cli_progress_fn)(int done, int total, void *ctx);

/* Run jobs[0..n) as isolated subprocesses, up to `parallel` at a time, filling runs[].
 * Returns 0, or -1 (with a message on stderr) if a process could not be started. */
int cli_run_jobs(const cli_job *jobs, cli_run *runs, int n, int parallel, double timeout_s,
                 cli_progress_fn progress, void *ctx);
void cli_run_free(cli_run *r);

/* ---- what the runs mean (analyze.c) -------------------------------------------------- */

typedef struct cli_outcome {
    char *label;           /* e.g. "a=2", or "fatal error: ..." appended to the output */
    int count;
    uint64_t first_seed;   /* replaying this seed reproduces the outcome */
} cli_outcome;

typedef struct cli_variant_result {
    const cli_variant *variant;
    char path[4096];       /* executable */
    char source[4096];     /* source file, or "" if not found */
    int nruns;
    cli_run *runs;         /* not owned: a slice of the caller's array */
    int runs_with_race;    /* runs whose stderr had a race report */
    int max_races;         /* most distinct races one run reported */
    int failures;          /* runs that timed out, crashed or hit a fatal error */
    int noutcomes;
    cli_outcome *outcomes; /* most frequent first, ties by first seed */
    char *first_race;      /* the first race report in full, owned, or NULL */
    uint64_t first_race_seed;
    uint64_t pct_steps;    /* k used for PCT (measured), 0 otherwise */
    double wall_median_s;
    double cpu_median_s;
} cli_variant_result;

typedef struct cli_results {
    const cli_demo *demo;
    const cli_opts *opts;
    int nvariants;
    cli_variant_result v[CLI_MAX_VARIANTS];
} cli_results;

/* The result label of one run: its stdout (one line, or lines joined by ", ") followed by
 * how it ended when that was not a normal exit ("-> fatal error: ...").  Owned. */
char *cli_run_label(const cli_run *r);
/* Races in one run's stderr ("WARNING: DATA RACE" blocks). */
int cli_run_races(const cli_run *r);
/* A copy of the first race report in text (from "WARNING: DATA RACE" to its closing
 * "==================" line), or NULL. */
char *cli_first_race(const char *err);
void cli_analyze(cli_variant_result *vr);
void cli_results_free(cli_results *res);
/* "racedemo DEMO --variant V --seed S [...]": the command that replays seed s. */
void cli_replay_command(char *buf, size_t cap, const cli_results *res,
                        const cli_variant_result *vr, uint64_t seed);

/* ---- reports ------------------------------------------------------------------------- */

void cli_text_report(const cli_results *res);
void cli_text_replay(const cli_results *res);
void cli_json_report(const cli_results *res);

/* Demo sources: the directory holding demos/<program>.c (compiled-in, or installed). */
const char *cli_source_dir(void);

#endif
