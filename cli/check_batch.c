/*
 * check_batch.c - `racedemo check --batch DIR`: every subfolder of DIR is one submission
 * (its *.c files are compiled together).  Submissions are checked in parallel, -j at a
 * time, each by a forked racedemo worker that runs its schedules one after another under
 * its own sandbox uid (slot = worker index), writes its report to OUT/NAME.EXT and sends a
 * one-line summary back through a pipe.  The parent only schedules, draws progress on
 * stderr and prints the summary table on stdout.
 *
 * --shard K/N keeps the submissions whose index in the sorted list is K-1 modulo N, so N
 * CI runners given the same DIR split it without overlap or coordination.
 */
#define _GNU_SOURCE
#include "check_impl.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct batch_sub {
    char *name;
    pid_t pid;
    int fd;              /* summary pipe read end while running */
    char summary[1024];  /* "verdict\texit\traces\tlocation" */
} batch_sub;

static int batch_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of DIR's entries that are directories (dirs=true) or *.c files. */
static char **batch_list(const char *dir, bool dirs, int *n)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **v = NULL;
    *n = 0;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[PATH_MAX];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (stat(path, &st) != 0)
            continue;
        size_t len = strlen(e->d_name);
        bool want = dirs ? S_ISDIR(st.st_mode)
                         : S_ISREG(st.st_mode) && len > 2 && !strcmp(e->d_name + len - 2, ".c");
        if (!want)
            continue;
        v = check_realloc(v, (size_t)(*n + 1) * sizeof *v);
        v[(*n)++] = check_strdup(e->d_name);
    }
    if (d)
        closedir(d);
    if (*n > 1)
        qsort(v, (size_t)*n, sizeof *v, batch_cmp);
    return v;
}

static void batch_free_list(char **v, int n)
{
    for (int i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static const char *batch_ext(const char *format)
{
    if (!strcmp(format, "json"))
        return "json";
    if (!strcmp(format, "junit"))
        return "xml";
    if (!strcmp(format, "sarif"))
        return "sarif";
    return "txt";
}

/* Severity for the batch's own exit code: the worst submission decides. */
static int batch_rank(int code)
{
    switch (code) {
    case CHECK_EXIT_INTERNAL: return 6;
    case CHECK_EXIT_RACE: return 5;
    case CHECK_EXIT_FAIL: return 4;
    case CHECK_EXIT_TIMEOUT: return 3;
    case CHECK_EXIT_COMPILE: return 2;
    default: return code ? 1 : 0;
    }
}

/* The worker: check one submission, write its report, send the summary line. */
static _Noreturn void batch_worker(const check_opts *base, const char *name, const char *outdir, int slot,
                                   int fd)
{
    check_opts o = *base;
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/%s", base->batch_dir, name);
    int n;
    char **files = batch_list(dir, false, &n);
    o.files = check_alloc((size_t)(n + 1) * sizeof *o.files);
    for (int i = 0; i < n; i++) {
        strbuf p = {0};
        sb_printf(&p, "%s/%s", dir, files[i]);
        o.files[i] = sb_take(&p);
    }
    o.nfiles = n;
    o.name = name;
    o.jobs = 1;
    o.quiet = true;
    check_result r;
    if (n == 0) {
        memset(&r, 0, sizeof r);
        r.opts = &o;
        sb_puts(&r.compile_output, "racedemo: no .c file in the submission\n");
    } else {
        check_submission(&o, slot, &r);
    }
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s.%s", outdir, name, batch_ext(o.format));
    FILE *f = fopen(path, "w");
    if (f) {
        fmt_write(f, o.format, &r);
        fclose(f);
    }
    const frame *loc = NULL;
    for (int i = 0; i < r.findings.n && !loc; i++)
        if (r.findings.v[i].kind == FK_RACE)
            loc = rep_location(&r.findings.v[i]);
    dprintf(fd, "%s\t%d\t%d\t%s:%d\n", vd_verdict(&r), vd_exit_code(&r), vd_count(&r, FK_RACE),
            loc ? loc->file : "-", loc ? loc->line : 0);
    _exit(0);
}

static void batch_progress(int done, int total, const char *name, const char *verdict, bool tty)
{
    if (!tty) {
        fprintf(stderr, "racedemo check: [%d/%d] %s: %s\n", done, total, name, verdict);
        return;
    }
    int width = 30, fill = total ? done * width / total : width;
    fprintf(stderr, "\r[%.*s%.*s] %d/%d %-24.24s", fill, "##############################", width - fill,
            "..............................", done, total, name);
    if (done == total)
        fputs("\n", stderr);
}

static void batch_table(batch_sub *s, int n)
{
    printf("%-24s %-14s %5s  %s\n", "submission", "verdict", "races", "first race");
    for (int i = 0; i < n; i++) {
        char verdict[64] = "internal-error", loc[600] = "-";
        int code = CHECK_EXIT_INTERNAL, races = 0;
        sscanf(s[i].summary, "%63[^\t]\t%d\t%d\t%599[^\n]", verdict, &code, &races, loc);
        if (!strcmp(loc, "-:0"))
            strcpy(loc, "-");
        printf("%-24s %-14s %5d  %s\n", s[i].name, verdict, races, loc);
    }
}

static int batch_summary_code(const batch_sub *s)
{
    char verdict[64];
    int code = CHECK_EXIT_INTERNAL;
    if (sscanf(s->summary, "%63[^\t]\t%d", verdict, &code) != 2)
        return CHECK_EXIT_INTERNAL;
    return code;
}

static void batch_reap(batch_sub *subs, int nsubs, int *running, int *slot_owner, int jobs, int *done,
                       bool tty)
{
    int st;
    pid_t pid = waitpid(-1, &st, 0);
    if (pid < 0)
        return;
    for (int i = 0; i < nsubs; i++) {
        if (subs[i].pid != pid)
            continue;
        ssize_t k = read(subs[i].fd, subs[i].summary, sizeof subs[i].summary - 1);
        subs[i].summary[k > 0 ? k : 0] = 0;
        close(subs[i].fd);
        subs[i].pid = 0;
        for (int w = 0; w < jobs; w++)
            if (slot_owner[w] == i)
                slot_owner[w] = -1;
        (*running)--;
        (*done)++;
        char verdict[64] = "internal-error";
        sscanf(subs[i].summary, "%63[^\t]", verdict);
        batch_progress(*done, nsubs, subs[i].name, verdict, tty);
    }
}

int check_batch(const check_opts *o)
{
    int nall;
    struct stat st;
    const char *why = stat(o->batch_dir, &st) != 0 ? strerror(errno)
                      : !S_ISDIR(st.st_mode)          ? "not a directory"
                                                      : NULL;
    if (why) {
        fprintf(stderr, "racedemo check: --batch %s: %s\n", o->batch_dir, why);
        return CHECK_EXIT_USAGE;
    }
    char **all = batch_list(o->batch_dir, true, &nall);
    if (!all && access(o->batch_dir, R_OK) != 0) {
        fprintf(stderr, "racedemo check: %s: %s\n", o->batch_dir, strerror(errno));
        return CHECK_EXIT_USAGE;
    }
    if (!nall) {
        /* a CI job pointed at the wrong folder must not pass with "0 submissions" */
        fprintf(stderr, "racedemo check: --batch %s: no submissions (one sub-directory each)\n",
                o->batch_dir);
        batch_free_list(all, nall);
        return CHECK_EXIT_USAGE;
    }
    int k = o->shard_n ? o->shard_k : 1, nsh = o->shard_n ? o->shard_n : 1, nsubs = 0;
    batch_sub *subs = check_alloc((size_t)(nall + 1) * sizeof *subs);
    for (int i = 0; i < nall; i++)
        if (i % nsh == k - 1)
            subs[nsubs++].name = all[i];
    /* without trailing slashes, so no path nor message says "reports//" */
    char outdir[PATH_MAX];
    snprintf(outdir, sizeof outdir, "%s", o->output ? o->output : "racedemo-reports");
    for (size_t n = strlen(outdir); n > 1 && outdir[n - 1] == '/'; n--)
        outdir[n - 1] = 0;
    if (mkdir(outdir, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "racedemo check: %s: %s\n", outdir, strerror(errno));
        batch_free_list(all, nall);
        free(subs);
        return CHECK_EXIT_USAGE;
    }
    int jobs = o->jobs, running = 0, next = 0, done = 0;
    int *slot_owner = check_alloc((size_t)jobs * sizeof *slot_owner);
    for (int w = 0; w < jobs; w++)
        slot_owner[w] = -1;
    bool tty = isatty(2);
    while (next < nsubs || running) {
        for (int w = 0; w < jobs && next < nsubs; w++) {
            if (slot_owner[w] >= 0)
                continue;
            int fds[2];
            if (pipe(fds) != 0)
                break;
            fflush(NULL);
            pid_t pid = fork();
            if (pid == 0) {
                close(fds[0]);
                batch_worker(o, subs[next].name, outdir, w, fds[1]);
            }
            close(fds[1]);
            subs[next].pid = pid;
            subs[next].fd = fds[0];
            slot_owner[w] = next++;
            running++;
        }
        if (running)
            batch_reap(subs, nsubs, &running, slot_owner, jobs, &done, tty);
    }
    batch_table(subs, nsubs);
    int worst = 0;
    for (int i = 0; i < nsubs; i++) {
        int c = batch_summary_code(&subs[i]);
        if (batch_rank(c) > batch_rank(worst))
            worst = c;
    }
    printf("%d submission%s%s, reports in %s/\n", nsubs, nsubs == 1 ? "" : "s",
           o->shard_n ? " (this shard)" : "", outdir);
    free(slot_owner);
    free(subs);
    batch_free_list(all, nall);
    return worst;
}
