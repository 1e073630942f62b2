/*
 * main.c - the racedemo command: `racedemo list`, `racedemo DEMO [options]`,
 * `racedemo help DEMO`, `racedemo check ...` (cli/check.c), `--version`, `--help`.
 *
 * A demo run: every selected variant's instrumented binary (built in demos/) runs N
 * times with seeds S .. S+N-1 under the chosen exploration strategy (run.c), the runs are
 * summarised (analyze.c) and reported as text or JSON.  Usage errors print one line and
 * exit 2, like Go's flag package.
 */
#define _GNU_SOURCE
#include "cli.h"
#ifdef RACEDEMO_HAVE_CHECK
#include "check.h"
#endif

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CLI_USAGE_EXIT 2

static const char usage_text[] =
    "usage: racedemo <command> [options]\n"
    "\n"
    "The programs of a Go concurrency tutorial, in C, with their data races made visible.\n"
    "\n"
    "commands:\n"
    "  list                 the demos, one line each, in the tutorial's order\n"
    "  <demo> [options]     run a demo's variants under many schedules and compare them\n"
    "  help <demo>          what a demo shows and what to look for\n"
    "  check FILE.c ...     race-check your own program (racedemo check --help)\n"
    "\n"
    "demo options:\n"
    "  --variant V          run only variant V (default: all)\n"
    "  --runs N             schedules per variant (default 50; parallel: 3)\n"
    "  --seed S             first seed (default 1); alone, replays that one schedule\n"
    "  --procs P            OS threads (GOMAXPROCS, default 1; exploration needs 1)\n"
    "  --strategy S         random (default) or pct: how schedules are explored\n"
    "  --pct-depth D        bug depth PCT aims at (default 3)\n"
    "  --timeout SEC        wall-clock limit per run (default 5)\n"
    "  --json               one JSON document instead of text (docs/json-schema.md)\n"
    "  --no-color           no colours (also when NO_COLOR is set or stdout is no TTY)\n"
    "  --help, --version\n"
    "\n"
    "Start with: racedemo next\n";

static _Noreturn void cli_usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "racedemo: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n");
    exit(CLI_USAGE_EXIT);
}

/* ---- where things are ------------------------------------------------------------------ */

static char cli_exe_dir[PATH_MAX];

static void cli_find_self(void)
{
    ssize_t n = readlink("/proc/self/exe", cli_exe_dir, sizeof cli_exe_dir - 1);
    if (n <= 0) {
        strcpy(cli_exe_dir, ".");
        return;
    }
    cli_exe_dir[n] = 0;
    dirname(cli_exe_dir);
}

static bool cli_is_file(const char *path, bool exec)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && (!exec || access(path, X_OK) == 0);
}

/* The demo binary: $RACEDEMO_DEMO_BIN, the build tree (build/cli/../demos) or the
 * installed layout (bin/../libexec/racedemo). */
static bool cli_find_program(const char *program, char *path, size_t cap)
{
    const char *env = getenv("RACEDEMO_DEMO_BIN");
    const char *fmts[] = {"%s/%s", "%s/../demos/%s", "%s/../libexec/racedemo/%s"};
    for (int i = env ? 0 : 1; i < 3; i++) {
        snprintf(path, cap, fmts[i], i ? cli_exe_dir : env, program);
        if (cli_is_file(path, true))
            return true;
    }
    return false;
}

const char *cli_source_dir(void)
{
    static char dir[PATH_MAX + 64];
    if (*dir)
        return dir;
    char probe[PATH_MAX + 128];
    snprintf(dir, sizeof dir, "%s", RACEDEMO_DEMO_SOURCE_DIR);
    snprintf(probe, sizeof probe, "%s/next_racy.c", dir);
    if (!cli_is_file(probe, false))
        snprintf(dir, sizeof dir, "%s/../share/racedemo/demos", cli_exe_dir);
    return dir;
}

/* ---- commands -------------------------------------------------------------------------- */

static int cmd_list(void)
{
    int nw = 0, sw = 0;
    for (int i = 0; i < cli_ndemos; i++) {
        nw = (int)strlen(cli_demos[i].name) > nw ? (int)strlen(cli_demos[i].name) : nw;
        sw = (int)strlen(cli_demos[i].section) > sw ? (int)strlen(cli_demos[i].section) : sw;
    }
    for (int i = 0; i < cli_ndemos; i++) {
        const cli_demo *d = &cli_demos[i];
        printf("%-*s  %-*s  ", nw, d->name, sw, d->section);
        for (int v = 0; v < d->nvariants; v++)
            printf("%s%s", v ? " / " : "", d->variants[v].name);
        printf("\n");
    }
    return 0;
}

static int cmd_help_demo(const cli_demo *d)
{
    printf("racedemo %s: %s\n\n", d->name, d->section);
    printf("%s\n\n%s\n\nvariants:\n", d->what, d->lesson);
    for (int v = 0; v < d->nvariants; v++)
        printf("  %-11s %s (demos/%s.c)\n", d->variants[v].name, d->variants[v].summary, d->variants[v].program);
    printf("\nexamples:\n  racedemo %s\n  racedemo %s --variant %s --seed 7\n  racedemo %s --strategy pct --runs 200\n"
           "  racedemo %s --json\n",
           d->name, d->name, d->variants[0].name, d->name, d->name);
    printf("\noptions: see racedemo --help\n");
    return 0;
}

static int cli_terminal_columns(void)
{
    struct winsize ws;
    if (isatty(1) && ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    const char *c = getenv("COLUMNS");
    if (c && atoi(c) > 0)
        return atoi(c);
    return 80;
}

static long cli_number(const char *flag, const char *val, long lo, long hi)
{
    char *end;
    errno = 0;
    long v = val ? strtol(val, &end, 10) : 0;
    if (!val || !*val || *end || errno || v < lo || v > hi) {
        fprintf(stderr, "racedemo: %s wants a number from %ld to %ld, got '%s'\n", flag, lo, hi, val ? val : "");
        exit(CLI_USAGE_EXIT);
    }
    return v;
}

/* --flag value or --flag=value */
static const char *cli_flag_value(int argc, char **argv, int *i, const char *flag)
{
    size_t n = strlen(flag);
    if (argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (*i + 1 >= argc) {
        fprintf(stderr, "racedemo: %s needs a value\n", flag);
        exit(CLI_USAGE_EXIT);
    }
    return argv[++*i];
}

static bool cli_is_flag(const char *arg, const char *flag)
{
    size_t n = strlen(flag);
    return !strncmp(arg, flag, n) && (arg[n] == 0 || arg[n] == '=');
}

static void cli_parse_demo_opts(const cli_demo *d, int argc, char **argv, cli_opts *o)
{
    *o = (cli_opts){.seed = 1, .procs = 1, .strategy = "random", .pct_depth = 3, .timeout_s = 5,
                    .color = isatty(1) && !getenv("NO_COLOR"), .columns = cli_terminal_columns()};
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            cmd_help_demo(d);
            exit(0);
        } else if (cli_is_flag(a, "--variant")) {
            o->variant = cli_flag_value(argc, argv, &i, "--variant");
            if (!cli_variant_find(d, o->variant)) {
                char names[256] = "";
                for (int v = 0; v < d->nvariants; v++)
                    snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", v ? ", " : "",
                             d->variants[v].name);
                fprintf(stderr, "racedemo: %s has no variant '%s' (it has: %s)\n", d->name, o->variant, names);
                exit(CLI_USAGE_EXIT);
            }
        } else if (cli_is_flag(a, "--runs")) {
            o->runs = (int)cli_number("--runs", cli_flag_value(argc, argv, &i, "--runs"), 1, 100000);
            o->runs_given = true;
        } else if (cli_is_flag(a, "--seed")) {
            o->seed = (uint64_t)cli_number("--seed", cli_flag_value(argc, argv, &i, "--seed"), 0, 1L << 62);
            o->seed_given = true;
        } else if (cli_is_flag(a, "--procs")) {
            o->procs = (int)cli_number("--procs", cli_flag_value(argc, argv, &i, "--procs"), 1, 256);
        } else if (cli_is_flag(a, "--strategy")) {
            o->strategy = cli_flag_value(argc, argv, &i, "--strategy");
            if (strcmp(o->strategy, "random") && strcmp(o->strategy, "pct"))
                cli_usage_error("--strategy wants random or pct, got '%s'", o->strategy);
        } else if (cli_is_flag(a, "--pct-depth")) {
            o->pct_depth = (int)cli_number("--pct-depth", cli_flag_value(argc, argv, &i, "--pct-depth"), 1, 16);
        } else if (cli_is_flag(a, "--timeout")) {
            o->timeout_s = (double)cli_number("--timeout", cli_flag_value(argc, argv, &i, "--timeout"), 1, 3600);
        } else if (!strcmp(a, "--json")) {
            o->json = true;
        } else if (!strcmp(a, "--no-color")) {
            o->color = false;
        } else if (a[0] == '-') {
            cli_usage_error("unknown flag %s (racedemo --help lists the options)", a);
        } else {
            cli_usage_error("unexpected argument '%s' (racedemo --help lists the options)", a);
        }
    }
    if (!o->runs_given)
        o->runs = o->seed_given ? 1 : d->default_runs ? d->default_runs : CLI_DEFAULT_RUNS;
}

/* ---- running a demo -------------------------------------------------------------------- */

typedef struct cli_progress {
    double start;
    bool shown;
} cli_progress;

/* A progress bar on stderr once a batch has taken more than a second (TTY only). */
static void cli_show_progress(int done, int total, void *ctx)
{
    cli_progress *p = ctx;
    if (!isatty(2) || (!p->shown && check_now_s() - p->start < 1.0))
        return;
    int width = 30, fill = total ? done * width / total : width;
    fprintf(stderr, "\r[%.*s%*s] %d/%d runs", fill, "##############################", width - fill, "", done, total);
    p->shown = true;
    if (done == total) {
        fprintf(stderr, "\r%*s\r", width + 30, "");
        p->shown = false;
    }
}

static int cli_parallelism(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : (int)n;
}

/* PCT needs k, the length of a run in steps: measure it once per variant with a run
 * that never preempts (fixed seed, so replays find the same k). */
static uint64_t cli_pct_steps(const char *path, const cli_opts *o)
{
    cli_job j = {.path = path, .seed = 1, .procs = o->procs, .strategy = "random", .preempt = 0};
    cli_run r;
    if (cli_run_jobs(&j, &r, 1, 1, o->timeout_s, NULL, NULL) != 0)
        return 100;
    uint64_t k = r.steps ? r.steps : 100;
    cli_run_free(&r);
    return k;
}

static int cli_prepare_variant(cli_results *res, const cli_variant *v)
{
    cli_variant_result *vr = &res->v[res->nvariants++];
    memset(vr, 0, sizeof *vr);
    vr->variant = v;
    if (!cli_find_program(v->program, vr->path, sizeof vr->path)) {
        fprintf(stderr, "racedemo: the %s program is not built (looked next to %s); run make first\n", v->program,
                cli_exe_dir);
        return -1;
    }
    snprintf(vr->source, sizeof vr->source, "%s/%s.c", cli_source_dir(), v->program);
    if (!cli_is_file(vr->source, false))
        vr->source[0] = 0;
    if (!strcmp(res->opts->strategy, "pct"))
        vr->pct_steps = cli_pct_steps(vr->path, res->opts);
    return 0;
}

static int cli_run_demo(const cli_demo *d, const cli_opts *o)
{
    cli_results res = {.demo = d, .opts = o};
    for (int v = 0; v < d->nvariants; v++)
        if (!o->variant || !strcmp(o->variant, d->variants[v].name))
            if (cli_prepare_variant(&res, &d->variants[v]) != 0)
                return 1;
    int total = res.nvariants * o->runs;
    cli_job *jobs = calloc((size_t)total, sizeof *jobs);
    cli_run *runs = calloc((size_t)total, sizeof *runs);
    if (!jobs || !runs) {
        fprintf(stderr, "racedemo: out of memory\n");
        return 1;
    }
    for (int v = 0; v < res.nvariants; v++)
        for (int i = 0; i < o->runs; i++)
            jobs[v * o->runs + i] = (cli_job){.path = res.v[v].path, .seed = o->seed + (uint64_t)i,
                                              .procs = o->procs, .strategy = o->strategy,
                                              .pct_depth = strcmp(o->strategy, "pct") ? 0 : o->pct_depth,
                                              .pct_steps = res.v[v].pct_steps, .preempt = -1};
    /* timing runs share no core with each other */
    int parallel = d->timing ? 1 : cli_parallelism();
    cli_progress prog = {.start = check_now_s()};
    if (cli_run_jobs(jobs, runs, total, parallel, o->timeout_s, cli_show_progress, &prog) != 0)
        return 1;
    for (int v = 0; v < res.nvariants; v++) {
        res.v[v].nruns = o->runs;
        res.v[v].runs = runs + (size_t)v * o->runs;
        cli_analyze(&res.v[v]);
    }
    if (o->json)
        cli_json_report(&res);
    else if (o->seed_given && !o->runs_given)
        cli_text_replay(&res);
    else
        cli_text_report(&res);
    cli_results_free(&res);
    free(runs);
    free(jobs);
    return 0;
}

int main(int argc, char **argv)
{
    cli_find_self();
    if (argc < 2) {
        fputs(usage_text, stderr);
        return CLI_USAGE_EXIT;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        fputs(usage_text, stdout);
        return 0;
    }
    if (!strcmp(cmd, "--version")) {
        printf("racedemo %s\n", RACEDEMO_CLI_VERSION);
        return 0;
    }
    if (!strcmp(cmd, "check")) {
#ifdef RACEDEMO_HAVE_CHECK
        return check_main(argc - 1, argv + 1);
#else
        cli_usage_error("%s: not part of this build", "check");
#endif
    }
    if (!strcmp(cmd, "list")) {
        if (argc > 2 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"))) {
            printf("usage: racedemo list\n\nThe demos, one line each: name, tutorial section, variants.\n");
            return 0;
        }
        for (int i = 2; i < argc; i++) /* --no-color: list has no colour anyway */
            if (strcmp(argv[i], "--no-color"))
                cli_usage_error("list takes no arguments, got '%s'", argv[i]);
        return cmd_list();
    }
    if (!strcmp(cmd, "help")) {
        if (argc < 3 || !strcmp(argv[2], "--help") || !strcmp(argv[2], "-h")) {
            fputs(usage_text, stdout);
            return 0;
        }
        const cli_demo *d = cli_demo_find(argv[2]);
        if (!d)
            cli_usage_error("unknown demo '%s' (racedemo list shows the demos)", argv[2]);
        if (argc > 3)
            cli_usage_error("help takes one demo, got '%s' too", argv[3]);
        return cmd_help_demo(d);
    }
    if (cmd[0] == '-')
        cli_usage_error("unknown flag %s (racedemo --help lists the options)", cmd);
    const cli_demo *d = cli_demo_find(cmd);
    if (!d)
        cli_usage_error("unknown demo '%s' (racedemo list shows the demos)", cmd);
    cli_opts o;
    cli_parse_demo_opts(d, argc, argv, &o);
    return cli_run_demo(d, &o);
}
