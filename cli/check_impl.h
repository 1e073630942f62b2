/*
 * check_impl.h - what the check modules share (see check.h for the module map).
 * Ownership: every string in a struct below is heap memory owned by that struct and freed
 * by its *_free function.  The only process-wide state is the sandbox's uid claim
 * (check_sandbox.c), made once by check_main before any run.
 */
#ifndef RACEDEMO_CHECK_IMPL_H
#define RACEDEMO_CHECK_IMPL_H

#include "check.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/* ---- growable string --------------------------------------------------------------------- */

typedef struct strbuf {
    char *s;      /* NUL-terminated once anything was added; NULL when empty */
    size_t len, cap;
} strbuf;

void sb_add(strbuf *b, const char *p, size_t n);
void sb_puts(strbuf *b, const char *s);
void sb_printf(strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *sb_str(const strbuf *b); /* "" when empty */
char *sb_take(strbuf *b);             /* caller owns the result; b is reset */
void sb_free(strbuf *b);
char *check_strdup(const char *s);    /* dies on out of memory, like every allocator here */
void *check_alloc(size_t n);          /* zeroed */
void *check_realloc(void *p, size_t n);

/* ---- toolchain (check_toolchain.c) ------------------------------------------------------- */

typedef struct tc_paths {
    char *include_dir;   /* holds goroutine.h */
    char *library;       /* libracedemo.a */
    const char *origin;  /* "env", "build tree" or "installed": for messages */
} tc_paths;

/* Finds the headers and library: $RACEDEMO_PREFIX, else the build tree when this
 * executable lives in it, else the install prefix.  False with a message on failure. */
bool tc_locate(tc_paths *out, strbuf *err);
/* The compiler: --cc, else $CC, else the one racedemo was configured with. */
const char *tc_compiler(const char *opt_cc);
/* argv (NULL-terminated, strings owned by the caller's arena strbuf list) to compile one
 * source to an object with instrumentation. */
char **tc_compile_argv(const char *cc, const tc_paths *p, const char *src, const char *obj);
/* argv to link objects into an executable against libracedemo (never libtsan).  The
 * whole archive is linked, so a user object that defines a runtime or __tsan_* symbol
 * is a link error instead of silently replacing the detector. */
char **tc_link_argv(const char *cc, const tc_paths *p, char **objs, int nobjs, const char *exe);
void tc_argv_free(char **argv);
void tc_paths_free(tc_paths *p);
/* Shell-quoted command line, for messages and replay lines. */
char *tc_argv_string(char *const *argv);
void tc_shquote(strbuf *b, const char *s);

/* ---- sandbox (check_sandbox.c) ------------------------------------------------------------ */

typedef struct sbx_limits {
    double wall_s;       /* wall-clock timeout */
    long cpu_s;          /* RLIMIT_CPU */
    long as_mb;          /* RLIMIT_AS (0: none; the detector reserves terabytes of shadow) */
    long rss_mb;         /* resident memory of the run's processes, sampled: killed above */
    long fsize_mb;       /* RLIMIT_FSIZE */
    long nproc;          /* RLIMIT_NPROC (tasks of the run's uid) */
    size_t out_cap;      /* bytes kept of stdout and of stderr each; the rest is read and dropped */
} sbx_limits;

typedef struct sbx_spec {
    char **argv;         /* argv[0] is an absolute path */
    char **envp;         /* the whole environment: nothing is inherited */
    const char *cwd;     /* the run's working directory */
    bool drop;           /* switch to uid/gid after the rlimits (racedemo runs as root) */
    uid_t uid;
    gid_t gid;
    sbx_limits lim;
} sbx_spec;

typedef struct sbx_result {
    int status;          /* waitpid status of the program */
    bool timed_out;      /* killed at the wall-clock limit, limit_s */
    double limit_s;      /* the wall-clock limit it ran under (messages name it, never the
                          * measured time, which depends on the machine's load) */
    bool start_failed;   /* could not exec: message in err */
    bool out_truncated, err_truncated;
    strbuf out, err;
    double wall_s;
    double cpu_s;        /* user + system time of the program itself */
    bool mem_exceeded;   /* killed for using more than lim.rss_mb resident */
    long peak_rss_mb;    /* largest resident size sampled (0 if never sampled) */
} sbx_result;

#define SBX_MAX_SLOTS 256
/* As root: claim n run uids no other racedemo process on this machine uses (flock in
 * /run/racedemo-check), mapped to slots 0..n-1.  False if they cannot be had. */
bool sbx_claim_slots(int n);
/* The uid/gid of slot `slot`: RACEDEMO_CHECK_UID (default 2147000000) + its claimed offset. */
void sbx_user(int slot, uid_t *uid, gid_t *gid);
bool sbx_is_root(void);
/* Runs `n` jobs with at most `jobs` at once.  prepare(i) fills the spec of job i just
 * before it starts (returns false to skip it); done(i, result) consumes the result.
 * The slot passed to prepare is in [0, jobs) and unique among running jobs. */
typedef bool (*sbx_prepare_fn)(void *ctx, int job, int slot, sbx_spec *spec);
typedef void (*sbx_done_fn)(void *ctx, int job, int slot, sbx_result *res);
void sbx_run_pool(int n, int jobs, sbx_prepare_fn prepare, sbx_done_fn done, void *ctx);
/* One job, synchronously. */
void sbx_run(sbx_spec *spec, int slot, sbx_result *res);
void sbx_result_free(sbx_result *r);
/* After a run as a dropped uid: kill every process left with that uid (setsid escapes). */
void sbx_sweep_uid(uid_t uid);
/* Tasks (threads) the uid runs now: RLIMIT_NPROC counts them all. */
long sbx_user_tasks(uid_t uid);
/* Empty a directory (keeping it, its owner and mode), without following symlinks. */
void sbx_clear_dir(const char *path);
/* rm -rf, without following symlinks; used on scratch directories. */
void sbx_rmtree(const char *path);
/* As root: give this process a private mount namespace (once), so scratch mounts never
 * reach the host's table and vanish with racedemo.  False when not possible. */
bool sbx_private_mounts(void);
/* Mount a size-limited tmpfs (owned by uid:gid, nosuid, nodev) on path: a run's disk
 * budget.  False (path stays a plain directory) when not root or not permitted. */
bool sbx_mount_scratch(const char *path, long size_mb, uid_t uid, gid_t gid);
void sbx_unmount(const char *path);
/* mkdir owned by uid:gid with mode. */
bool sbx_mkdir_owned(const char *path, mode_t mode, bool chown_it, uid_t uid, gid_t gid);
/* Recursively chown a tree (not following symlinks). */
void sbx_chown_tree(const char *path, uid_t uid, gid_t gid);

/* ---- findings (check_report.c) ----------------------------------------------------------- */

enum finding_kind {
    FK_RACE,
    FK_DEADLOCK,
    FK_CRASH,        /* a signal: SIGSEGV, stack overflow, abort... */
    FK_RUNTIME,      /* Go runtime error: panic: ..., fatal error: ... */
    FK_EXIT,         /* non-zero exit status without a runtime message */
    FK_LEAK,         /* goroutines still blocked when main returned */
    FK_TIMEOUT,
    FK_NKINDS
};

typedef struct frame {
    char *func;
    char *file;      /* NULL when unknown */
    int line;
} frame;

typedef struct stack {
    char *title;     /* "Write at 0x... by goroutine 7", "goroutine 1 [chan receive]" */
    frame *frames;
    int nframes;
} stack;

typedef struct finding {
    enum finding_kind kind;
    char *message;   /* one line: "data race", "panic: send on closed channel" */
    char *key;       /* dedupe key: kind + both stacks (race) or message + top frame */
    stack *stacks;   /* race: [0] the access, [1] the previous access, then creators */
    int nstacks;
    char *report;    /* the raw report text of its first occurrence (capped) */
    uint64_t first_seed;
    int count;       /* runs in which it occurred */
} finding;

typedef struct finding_list {
    finding *v;
    int n, cap;
} finding_list;

/* Parse one run: its stderr, its detector log text, its exit status (cpu_limit: the
 * run's RLIMIT_CPU, to tell a CPU-limit SIGKILL from another).  Appends what it
 * finds (each distinct one once) to out, with first_seed = seed and count = 1. */
void rep_parse_run(const char *err, const char *log, const sbx_result *res, double cpu_limit,
                   uint64_t seed, finding_list *out);
/* The frame of a runtime operation that is itself an access (chan_close()...). */
bool rep_is_op_frame(const frame *fr);
/* The top user frame of a finding's first stack that has a file, or NULL. */
const frame *rep_location(const finding *f);
/* The previous access of a race, or NULL. */
const frame *rep_related(const finding *f);
const char *rep_kind_name(enum finding_kind k); /* "race", "deadlock"... */
const char *rep_kind_title(enum finding_kind k); /* "Data race", "Deadlock"... */
void finding_free(finding *f);
void finding_list_free(finding_list *l);
void finding_list_push(finding_list *l, finding *f); /* takes ownership of *f's contents */

/* ---- verdict (check_verdict.c) ------------------------------------------------------------- */

typedef struct check_opts {
    char **files;
    int nfiles;
    char **prog_args;     /* after -- */
    int nprog_args;
    int runs;
    uint64_t seed;
    int procs;
    const char *strategy;
    double timeout_s;
    const char *format;   /* text json junit sarif github */
    const char *output;
    const char *cc;
    int jobs;
    long mem_mb;
    bool fail_fast;
    const char *batch_dir;
    int shard_k, shard_n;
    const char *name;     /* submission name (batch) */
    bool quiet;           /* no progress lines */
} check_opts;

typedef struct check_result {
    const check_opts *opts;
    bool compiled;
    char *compile_cmd;
    strbuf compile_output;
    finding_list findings;   /* distinct, sorted: kind, then first seed */
    int runs_done;
    int runs_failed;
    int runs_skipped;        /* not counted: fail-fast or repeated timeouts ended the check
                              * at an earlier seed */
    bool output_truncated;
    char *sample_output;     /* stdout of the first run (capped; may hold NUL bytes) */
    size_t sample_output_len;
    double elapsed_s;
    char *internal_error;    /* racedemo could not do its job */
    const char *leak_note;   /* what the runtime can say about leaks */
} check_result;

/* Fold one run's findings into the result (dedupe by key, keep the lowest seed). */
void vd_merge(check_result *r, finding_list *run);
/* Sort the findings deterministically. */
void vd_finish(check_result *r);
int vd_exit_code(const check_result *r);
const char *vd_verdict(const check_result *r); /* "clean", "race", ... */
/* The exact command that replays a finding's seed. */
char *vd_replay_cmd(const check_result *r, const finding *f);
int vd_count(const check_result *r, enum finding_kind k);
void vd_result_free(check_result *r);

/* ---- formats (check_format.c) -------------------------------------------------------------- */

bool fmt_valid(const char *format);
void fmt_write(FILE *f, const char *format, const check_result *r);

/* ---- drivers ---------------------------------------------------------------------------- */

/* Compile opts->files and run them; fills r.  Uses `slot_base` .. +jobs-1 run users. */
void check_submission(const check_opts *o, int slot_base, check_result *r);
int check_batch(const check_opts *o);

#endif
