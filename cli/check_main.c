/*
 * check_main.c - `racedemo check`: the options, and the driver for one submission:
 * compile once (in the sandbox: a student's #include "/etc/shadow" must not be echoed
 * back with root's eyes), then run the binary under N seeded schedules, up to -j at once,
 * each in its own scratch directory, and fold what the runs found into one result.
 *
 * Work directory layout (mkdtemp, root-owned 0711 when root):
 *   build/          objects and the program: owned by the sandbox user while compiling,
 *                   then by root (0755), so no run can change the binary later runs use
 *   slot-K/cwd/     the working directory of the runs in slot K, owned by the slot's uid
 *                   (0700), emptied after every run; as root a 64 MB tmpfs mounted in
 *                   racedemo's private mount namespace, so runs cannot fill the disk
 *   slot-K/log/     where the detector writes its reports (RACEDEMO_OPTIONS=log_path):
 *                   a file, so a race is reported even if the program then closes
 *                   stdout/stderr, calls _exit(0) or abort(), or loops until killed
 */
#define _GNU_SOURCE
#include "check_impl.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CHECK_LOG_CAP (4u << 20)
#define CHECK_MAX_TIMEOUTS 3
#define CHECK_SCRATCH_MB 64  /* disk budget of a run's working directory (tmpfs, root only) */
#define CHECK_LOG_MB 16      /* and of its detector log directory */

/* ---- options ------------------------------------------------------------------------------ */

static void check_usage(FILE *f)
{
    fputs("usage: racedemo check FILE.c [FILE.c ...] [options] [-- PROGRAM ARGS]\n"
          "       racedemo check --batch DIR [-j N] [--shard K/N] [options]\n"
          "options:\n"
          "  --runs N          schedules to run (default 100)\n"
          "  --seed S          first seed; run i uses S+i (default 1)\n"
          "  --procs P         RACEDEMO_PROCS of each run (default 1: deterministic)\n"
          "  --strategy S      random, pct or none (default random)\n"
          "  --timeout SEC     wall-clock limit per run (default 10)\n"
          "  --format F        text, json, junit, sarif or github (default text)\n"
          "  --output PATH     write the report there (batch: a directory)\n"
          "  --cc CC           compiler (default $CC, else the configured one)\n"
          "  -j N              parallel runs (default: number of CPUs)\n"
          "  --mem MB          resident-memory limit per run (default 2048)\n"
          "  --fail-fast       stop at the first failing run\n"
          "exit status: 0 clean, 66 race, 67 deadlock/crash/runtime error, 68 timeout,\n"
          "             69 compile error, 2 usage error, 70 internal error (docs/check.md)\n",
          f);
}

static bool parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || !*s || *end || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

static int check_bad(const char *flag, const char *val)
{
    fprintf(stderr, "racedemo check: invalid value for %s: '%s'\n", flag, val ? val : "");
    return CHECK_EXIT_USAGE;
}

/* The options that take a value, one entry per spelling. */
typedef enum opt_id {
    OPT_NONE, OPT_RUNS, OPT_SEED, OPT_PROCS, OPT_JOBS, OPT_MEM, OPT_TIMEOUT, OPT_SHARD,
    OPT_STRATEGY, OPT_FORMAT, OPT_OUTPUT, OPT_CC, OPT_BATCH
} opt_id;

static const struct {
    const char *name;
    opt_id id;
} check_valued[] = {
    {"--runs", OPT_RUNS},         {"--seed", OPT_SEED},     {"--procs", OPT_PROCS},
    {"-j", OPT_JOBS},             {"--jobs", OPT_JOBS},     {"--mem", OPT_MEM},
    {"--timeout", OPT_TIMEOUT},   {"--shard", OPT_SHARD},   {"--strategy", OPT_STRATEGY},
    {"--format", OPT_FORMAT},     {"--output", OPT_OUTPUT}, {"-o", OPT_OUTPUT},
    {"--cc", OPT_CC},             {"--batch", OPT_BATCH},
};

static opt_id opt_lookup(const char *a)
{
    for (size_t i = 0; i < sizeof check_valued / sizeof *check_valued; i++)
        if (!strcmp(a, check_valued[i].name))
            return check_valued[i].id;
    return OPT_NONE;
}

static bool parse_seed(const char *v, uint64_t *out)
{
    char *end;
    errno = 0;
    *out = (uint64_t)strtoull(v, &end, 10);
    return !errno && *v && !*end && *v != '-';
}

static bool parse_timeout(const char *v, double *out)
{
    char *end;
    *out = strtod(v, &end);
    return *v && !*end && *out > 0 && *out <= 86400;
}

/* Option id (spelt a) with value v: 0, or the exit code of a bad value. */
static int check_set(opt_id id, const char *a, const char *v, check_opts *o)
{
    long n = 0;
    bool ok = true;
    switch (id) {
    case OPT_RUNS: ok = parse_long(v, 1, 1000000, &n), o->runs = (int)n; break;
    case OPT_SEED: ok = parse_seed(v, &o->seed); break;
    case OPT_PROCS: ok = parse_long(v, 1, 256, &n), o->procs = (int)n; break;
    case OPT_JOBS: ok = parse_long(v, 1, 256, &n), o->jobs = (int)n; break;
    case OPT_MEM: ok = parse_long(v, 64, 1 << 20, &n), o->mem_mb = n; break;
    case OPT_TIMEOUT: ok = parse_timeout(v, &o->timeout_s); break;
    case OPT_SHARD:
        ok = sscanf(v, "%d/%d", &o->shard_k, &o->shard_n) == 2 && o->shard_n >= 1 &&
             o->shard_k >= 1 && o->shard_k <= o->shard_n;
        break;
    case OPT_STRATEGY:
        ok = !strcmp(v, "random") || !strcmp(v, "pct") || !strcmp(v, "none"), o->strategy = v;
        break;
    case OPT_FORMAT: ok = fmt_valid(v), o->format = v; break;
    case OPT_OUTPUT: o->output = v; break;
    case OPT_CC: o->cc = v; break;
    case OPT_BATCH: o->batch_dir = v; break;
    case OPT_NONE: break;
    }
    return ok ? 0 : check_bad(a, v);
}

static void check_defaults(check_opts *o)
{
    memset(o, 0, sizeof *o);
    o->runs = 100;
    o->seed = 1;
    o->procs = 1;
    o->strategy = "random";
    o->timeout_s = 10;
    o->format = "text";
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    o->jobs = n > 0 ? (int)n : 1;
    o->mem_mb = 2048;
    o->quiet = !isatty(2);
}

/* A source to check: a readable regular file named .c (a directory or a .py given by
 * mistake would otherwise surface as a linker error). */
static int check_source_ok(const char *f)
{
    struct stat st;
    size_t n = strlen(f);
    if (access(f, R_OK) != 0 || stat(f, &st) != 0) {
        fprintf(stderr, "racedemo check: %s: %s\n", f, strerror(errno));
        return CHECK_EXIT_USAGE;
    }
    if (S_ISDIR(st.st_mode)) {
        fprintf(stderr, "racedemo check: %s: is a directory (--batch checks a directory of submissions)\n", f);
        return CHECK_EXIT_USAGE;
    }
    if (n < 3 || strcmp(f + n - 2, ".c")) {
        fprintf(stderr, "racedemo check: %s: not a C source file (.c)\n", f);
        return CHECK_EXIT_USAGE;
    }
    return 0;
}

/* Returns -1 when parsed, else the exit code (0 for --help). */
static int check_parse(int argc, char **argv, check_opts *o)
{
    check_defaults(o);
    o->files = check_alloc((size_t)argc * sizeof *o->files);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--")) {
            o->prog_args = argv + i + 1;
            o->nprog_args = argc - i - 1;
            break;
        }
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            check_usage(stdout);
            return 0;
        }
        if (!strcmp(a, "--fail-fast")) {
            o->fail_fast = true;
            continue;
        }
        if (!strncmp(a, "-j", 2) && a[2]) { /* -j4, like make */
            int rc = check_set(OPT_JOBS, "-j", a + 2, o);
            if (rc)
                return rc;
            continue;
        }
        if (a[0] == '-' && a[1]) {
            opt_id id = opt_lookup(a);
            if (id == OPT_NONE) {
                fprintf(stderr, "racedemo check: unknown option '%s' (see racedemo check --help)\n", a);
                return CHECK_EXIT_USAGE;
            }
            if (i + 1 >= argc) {
                fprintf(stderr, "racedemo check: %s needs a value\n", a);
                return CHECK_EXIT_USAGE;
            }
            int rc = check_set(id, a, argv[++i], o);
            if (rc)
                return rc;
            continue;
        }
        o->files[o->nfiles++] = argv[i];
    }
    if (!o->batch_dir && !o->nfiles) {
        fputs("racedemo check: no source file given (see racedemo check --help)\n", stderr);
        return CHECK_EXIT_USAGE;
    }
    if (o->batch_dir && o->nfiles) {
        fputs("racedemo check: --batch takes a directory, not source files\n", stderr);
        return CHECK_EXIT_USAGE;
    }
    for (int i = 0; i < o->nfiles; i++)
        if (check_source_ok(o->files[i]))
            return CHECK_EXIT_USAGE;
    /* a missing compiler is the caller's setup, not a compile error of the program */
    const char *cc = tc_compiler(o->cc);
    if (access(cc, X_OK) != 0) {
        fprintf(stderr, "racedemo check: compiler '%s' not found (--cc, CC)\n", cc);
        return CHECK_EXIT_USAGE;
    }
    return -1;
}

/* ---- the work directory -------------------------------------------------------------------------- */

typedef struct check_ctx {
    const check_opts *o;
    check_result *r;
    char work[1024];    /* short, so every path under it fits PATH_MAX */
    char exe[PATH_MAX];
    char srcroot[PATH_MAX];
    bool drop;
    int slot_base;
    long nproc;
    int timeouts;
    bool stop;
    struct check_run *runs; /* per job: its outcome until committed (check_commit) */
    int committed;          /* jobs [0, committed) are judged */
    char **envs[256];   /* per slot: the environment of its running job */
    char cwds[256][1200];   /* per slot: the run's working directory */
    char logs[256][1200];   /* per slot: the detector's log directory */
    bool mounted[256];      /* per slot: cwd and log are tmpfs mounts */
    char **argv;
} check_ctx;

static void env_free(char **env)
{
    for (char **p = env; p && *p; p++)
        free(*p);
    free(env);
}

static char **env_build(const char *home, const char *const *extra, int nextra)
{
    char **env = check_alloc((size_t)(nextra + 6) * sizeof *env);
    int n = 0;
    strbuf b = {0};
    env[n++] = check_strdup("PATH=/usr/local/bin:/usr/bin:/bin");
    env[n++] = check_strdup("LANG=C");
    sb_printf(&b, "HOME=%s", home);
    env[n++] = sb_take(&b);
    sb_printf(&b, "TMPDIR=%s", home);
    env[n++] = sb_take(&b);
    for (int i = 0; i < nextra; i++)
        env[n++] = check_strdup(extra[i]);
    return env;
}

static sbx_limits check_compile_limits(void)
{
    return (sbx_limits){.wall_s = 120, .cpu_s = 120, .as_mb = 4096, .rss_mb = 4096, .fsize_mb = 512,
                        .nproc = 64, .out_cap = 64 * 1024};
}

/* ---- compile ------------------------------------------------------------------------------------- */

static bool check_step(check_ctx *c, char **argv, const char *cwd)
{
    uid_t uid;
    gid_t gid;
    sbx_user(c->slot_base, &uid, &gid);
    char build[1100];
    snprintf(build, sizeof build, "%s/build", c->work);
    char **env = env_build(build, NULL, 0);
    sbx_spec spec = {.argv = argv, .envp = env, .cwd = cwd, .drop = c->drop, .uid = uid,
                     .gid = gid, .lim = check_compile_limits()};
    if (!c->drop)
        spec.lim.nproc = c->nproc;
    sbx_result res = {0};
    sbx_run(&spec, c->slot_base, &res);
    env_free(env);
    sb_add(&c->r->compile_output, sb_str(&res.out), res.out.len);
    sb_add(&c->r->compile_output, sb_str(&res.err), res.err.len);
    bool ok = !res.start_failed && !res.timed_out && WIFEXITED(res.status) && WEXITSTATUS(res.status) == 0;
    if (res.timed_out)
        sb_puts(&c->r->compile_output, "racedemo: the compiler timed out\n");
    else if (!ok && !res.start_failed && WIFSIGNALED(res.status))
        sb_printf(&c->r->compile_output, "racedemo: the compiler was killed by signal %d\n",
                  WTERMSIG(res.status));
    if (c->drop && strstr(sb_str(&c->r->compile_output), "Permission denied"))
        sb_printf(&c->r->compile_output, "racedemo: the compiler runs as the sandbox user (uid %u), "
                  "which must be able to read the sources and their directories\n", (unsigned)uid);
    sbx_result_free(&res);
    return ok;
}

static bool check_compile(check_ctx *c)
{
    const check_opts *o = c->o;
    tc_paths paths;
    strbuf err = {0};
    if (!tc_locate(&paths, &err)) {
        c->r->internal_error = sb_take(&err);
        return false;
    }
    const char *cc = tc_compiler(o->cc);
    char build[1100], cwd[PATH_MAX];
    snprintf(build, sizeof build, "%s/build", c->work);
    uid_t uid;
    gid_t gid;
    sbx_user(c->slot_base, &uid, &gid);
    if (!getcwd(cwd, sizeof cwd) || !sbx_mkdir_owned(build, 0700, c->drop, uid, gid)) {
        c->r->internal_error = check_strdup("cannot create the build directory");
        tc_paths_free(&paths);
        return false;
    }
    char **objs = check_alloc((size_t)(o->nfiles + 1) * sizeof *objs);
    bool ok = true;
    strbuf cmds = {0};
    for (int i = 0; i < o->nfiles && ok; i++) {
        strbuf ob = {0};
        const char *base = strrchr(o->files[i], '/');
        sb_printf(&ob, "%s/%d-%s.o", build, i, base ? base + 1 : o->files[i]);
        objs[i] = sb_take(&ob);
        char **argv = tc_compile_argv(cc, &paths, o->files[i], objs[i]);
        char *s = tc_argv_string(argv);
        sb_printf(&cmds, "%s\n", s);
        free(s);
        ok = check_step(c, argv, cwd);
        tc_argv_free(argv);
    }
    snprintf(c->exe, sizeof c->exe, "%s/prog", build);
    if (ok) {
        char **argv = tc_link_argv(cc, &paths, objs, o->nfiles, c->exe);
        char *s = tc_argv_string(argv);
        sb_printf(&cmds, "%s\n", s);
        free(s);
        ok = check_step(c, argv, build);
        tc_argv_free(argv);
    }
    c->r->compile_cmd = sb_take(&cmds);
    for (int i = 0; i < o->nfiles; i++)
        free(objs[i]);
    free(objs);
    tc_paths_free(&paths);
    /* from now on the binary is root's: no run may rewrite what later runs execute */
    sbx_chown_tree(build, geteuid(), getegid());
    chmod(build, 0755);
    chmod(c->exe, 0755);
    return ok;
}

/* ---- runs ---------------------------------------------------------------------------------------- */

static uint64_t check_seed(const check_ctx *c, int job) { return c->o->seed + (uint64_t)job; }

/* The slot's scratch directories: made on first use, emptied after every run, so a run
 * never sees what an earlier one left and the common case costs no mkdir/rmdir. */
static bool check_slot_dirs(check_ctx *c, int slot, uid_t uid, gid_t gid)
{
    char dir[1100];
    snprintf(dir, sizeof dir, "%s/slot-%d", c->work, slot);
    snprintf(c->cwds[slot], sizeof c->cwds[slot], "%s/cwd", dir);
    snprintf(c->logs[slot], sizeof c->logs[slot], "%s/log", dir);
    if (access(dir, F_OK) == 0)
        return true;
    if (!sbx_mkdir_owned(dir, 0711, false, 0, 0) || !sbx_mkdir_owned(c->cwds[slot], 0700, c->drop, uid, gid) ||
        !sbx_mkdir_owned(c->logs[slot], 0700, c->drop, uid, gid))
        return false;
    /* as root, both are small tmpfs: a run cannot fill the disk, whatever it writes */
    if (c->drop && sbx_mount_scratch(c->cwds[slot], CHECK_SCRATCH_MB, uid, gid) &&
        sbx_mount_scratch(c->logs[slot], CHECK_LOG_MB, uid, gid))
        c->mounted[slot] = true;
    return true;
}

static void check_unmount_slots(check_ctx *c)
{
    for (int k = 0; k < 256; k++)
        if (c->mounted[k]) {
            sbx_unmount(c->cwds[k]);
            sbx_unmount(c->logs[k]);
        }
}


/* A run's CPU limit (whole seconds, RLIMIT_CPU's unit): its wall limit plus a second, so
 * a program that spins is stopped by the wall clock first; reports name this value. */
static long run_cpu_limit(const check_opts *o) { return (long)o->timeout_s + 1; }
static bool check_prepare(void *ctx, int job, int slot, sbx_spec *spec)
{
    check_ctx *c = ctx;
    if (c->stop)
        return false;
    uid_t uid;
    gid_t gid;
    sbx_user(c->slot_base + slot, &uid, &gid);
    if (!check_slot_dirs(c, slot, uid, gid)) {
        if (!c->r->internal_error)
            c->r->internal_error = check_strdup("cannot create a scratch directory");
        c->stop = true;
        return false;
    }
    char seed[64], procs[64], strat[64], opts[PATH_MAX + 64], root[PATH_MAX + 32];
    snprintf(seed, sizeof seed, "RACEDEMO_SEED=%llu", (unsigned long long)check_seed(c, job));
    snprintf(procs, sizeof procs, "RACEDEMO_PROCS=%d", c->o->procs);
    snprintf(strat, sizeof strat, "RACEDEMO_STRATEGY=%s", c->o->strategy);
    snprintf(opts, sizeof opts, "RACEDEMO_OPTIONS=log_path=%s/race", c->logs[slot]);
    snprintf(root, sizeof root, "RACEDEMO_SRCROOT=%s", c->srcroot);
    const char *extra[] = {seed, procs, strat, opts, root, "RACEDEMO_LEAKCHECK=1", "NO_COLOR=1"};
    c->envs[slot] = env_build(c->cwds[slot], extra, 7);
    *spec = (sbx_spec){
        .argv = c->argv, .envp = c->envs[slot], .cwd = c->cwds[slot], .drop = c->drop, .uid = uid,
        .gid = gid,
        .lim = {.wall_s = c->o->timeout_s, .cpu_s = run_cpu_limit(c->o), .rss_mb = c->o->mem_mb,
                .fsize_mb = 64, .nproc = c->drop ? 64 : c->nproc, .out_cap = 256 * 1024}};
    return true;
}

/* Every file the detector wrote under log/ (log_path.PID per process), capped. */
static char *check_read_logs(const char *dir)
{
    strbuf b = {0};
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)) && b.len < CHECK_LOG_CAP) {
        if (e->d_name[0] == '.')
            continue;
        char path[PATH_MAX + 512];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
            if (fd >= 0)
                close(fd);
            continue;
        }
        char buf[65536];
        ssize_t n;
        while (b.len < CHECK_LOG_CAP && (n = read(fd, buf, sizeof buf)) > 0)
            sb_add(&b, buf, (size_t)n);
        close(fd);
    }
    if (d)
        closedir(d);
    return sb_take(&b);
}

/* A finished run waiting for the runs of lower seeds: runs finish in any order with -j
 * above 1, but they are judged in seed order, so that whether the check stops (three
 * timeouts, --fail-fast) and which runs count depend on the seeds alone. */
typedef struct check_run {
    bool ready;
    bool truncated;
    finding_list found;
    char *out; /* job 0's stdout */
    size_t outlen;
} check_run;

static void check_commit(check_ctx *c, check_run *run)
{
    check_result *r = c->r;
    r->runs_done++;
    if (run->found.n)
        r->runs_failed++;
    for (int i = 0; i < run->found.n; i++)
        if (run->found.v[i].kind == FK_TIMEOUT && ++c->timeouts >= CHECK_MAX_TIMEOUTS)
            c->stop = true;
    if (run->found.n && c->o->fail_fast)
        c->stop = true;
    r->output_truncated |= run->truncated;
    if (run->out) {
        r->sample_output = run->out, r->sample_output_len = run->outlen;
        run->out = NULL;
    }
    vd_merge(r, &run->found);
    if (!c->o->quiet)
        fprintf(stderr, "\rracedemo check: run %d/%d", r->runs_done, c->o->runs);
}

static void check_done(void *ctx, int job, int slot, sbx_result *res)
{
    check_ctx *c = ctx;
    check_run *run = &c->runs[job];
    char *logtext = check_read_logs(c->logs[slot]);
    rep_parse_run(sb_str(&res->err), logtext, res, (double)run_cpu_limit(c->o), check_seed(c, job),
                  &run->found);
    free(logtext);
    run->truncated = res->out_truncated || res->err_truncated;
    if (job == 0) {
        run->outlen = res->out.len;
        run->out = check_alloc(run->outlen + 1);
        memcpy(run->out, sb_str(&res->out), run->outlen);
    }
    run->ready = true;
    while (!c->stop && c->committed < c->o->runs && c->runs[c->committed].ready)
        check_commit(c, &c->runs[c->committed++]);
    sbx_result_free(res);
    env_free(c->envs[slot]);
    c->envs[slot] = NULL;
    sbx_clear_dir(c->cwds[slot]);
    sbx_clear_dir(c->logs[slot]);
}

static void check_runs(check_ctx *c)
{
    const check_opts *o = c->o;
    c->argv = check_alloc((size_t)(o->nprog_args + 2) * sizeof *c->argv);
    c->argv[0] = c->exe;
    for (int i = 0; i < o->nprog_args; i++)
        c->argv[i + 1] = o->prog_args[i];
    c->runs = check_alloc((size_t)o->runs * sizeof *c->runs);
    sbx_run_pool(o->runs, o->jobs, check_prepare, check_done, c);
    if (!o->quiet)
        fputs("\n", stderr);
    c->r->runs_skipped = o->runs - c->r->runs_done; /* not started, or past the stop */
    for (int i = 0; i < o->runs; i++) {
        finding_list_free(&c->runs[i].found);
        free(c->runs[i].out);
    }
    free(c->runs);
    free(c->argv);
}

void check_submission(const check_opts *o, int slot_base, check_result *r)
{
    double t0 = check_now_s();
    memset(r, 0, sizeof *r);
    r->opts = o;
    r->leak_note = "goroutine leaks are checked when the program exits normally (RACEDEMO_LEAKCHECK); "
                   "a program that ends with _exit() or a signal is not checked for leaks";
    check_ctx *c = check_alloc(sizeof *c);
    c->o = o;
    c->r = r;
    c->slot_base = slot_base;
    c->drop = sbx_is_root();
    c->nproc = c->drop ? 64 : sbx_user_tasks(getuid()) + 64;
    const char *tmp = getenv("TMPDIR");
    snprintf(c->work, sizeof c->work, "%s/racedemo-check-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!getcwd(c->srcroot, sizeof c->srcroot) || !mkdtemp(c->work)) {
        r->internal_error = check_strdup("cannot create a work directory");
        free(c);
        return;
    }
    chmod(c->work, 0711);
    r->compiled = check_compile(c);
    if (r->compiled)
        check_runs(c);
    check_unmount_slots(c);
    sbx_rmtree(c->work);
    vd_finish(r);
    r->elapsed_s = check_now_s() - t0;
    free(c);
}

/* ---- entry point ---------------------------------------------------------------------------------- */

static int check_report(const check_opts *o, check_result *r)
{
    FILE *f = stdout;
    if (o->output && !(f = fopen(o->output, "w"))) {
        fprintf(stderr, "racedemo check: %s: %s\n", o->output, strerror(errno));
        return CHECK_EXIT_USAGE;
    }
    fmt_write(f, o->format, r);
    if (f != stdout)
        fclose(f);
    else
        fflush(stdout);
    if (r->internal_error)
        fprintf(stderr, "racedemo check: %s\n", r->internal_error);
    return vd_exit_code(r);
}

int check_main(int argc, char **argv)
{
    check_opts o;
    int rc = check_parse(argc, argv, &o);
    if (rc < 0) {
        if (!sbx_claim_slots(o.jobs)) {
            fputs("racedemo check: cannot claim sandbox uids in /run/racedemo-check\n", stderr);
            rc = CHECK_EXIT_INTERNAL;
        } else if (o.batch_dir) {
            rc = check_batch(&o);
        } else {
            check_result r;
            check_submission(&o, 0, &r);
            rc = check_report(&o, &r);
            vd_result_free(&r);
        }
    }
    free(o.files);
    fflush(stdout); /* callers may _exit */
    return rc;
}
