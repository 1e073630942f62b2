/*
 * analyze.c - what a variant's runs mean: each run's result label (its output and how it
 * ended), the races its stderr reports, and the distribution of labels over the runs.
 *
 * A race report is the detector's Go-style block: it starts at "WARNING: DATA RACE" and
 * ends at the "==================" line that closes it.  A run that ends abnormally gets
 * the reason appended to its label: Go's fatal-error or panic line (exit status 2), the
 * signal that killed it, or the time limit.  Exit status 66 only says races were found,
 * which the race count already shows.
 */
#define _GNU_SOURCE
#include "cli.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#define RACE_HEADER "WARNING: DATA RACE"
#define RACE_RULE "=================="

int cli_run_races(const cli_run *r)
{
    int n = 0;
    for (const char *p = r->err; p && (p = strstr(p, RACE_HEADER)); p += sizeof RACE_HEADER - 1)
        n++;
    return n;
}

char *cli_first_race(const char *err)
{
    const char *start = err ? strstr(err, RACE_HEADER) : NULL;
    if (!start)
        return NULL;
    /* include the rule above the header when there is one */
    if (start - err >= (long)sizeof RACE_RULE && !strncmp(start - sizeof RACE_RULE, RACE_RULE, sizeof RACE_RULE - 1))
        start -= sizeof RACE_RULE;
    const char *end = strstr(start + sizeof RACE_RULE, "\n" RACE_RULE);
    if (end)
        end = end + 1 + strlen(RACE_RULE);
    else
        end = start + strlen(start);
    return strndup(start, (size_t)(end - start));
}

/* Go's one-line reason for a fatal runtime error, from stderr. */
static const char *run_fatal_line(const char *err, size_t *len)
{
    static const char *const prefixes[] = {"fatal error: ", "panic: "};
    for (const char *line = err; line && *line;) {
        const char *nl = strchr(line, '\n');
        size_t n = nl ? (size_t)(nl - line) : strlen(line);
        for (int i = 0; i < 2; i++)
            if (!strncmp(line, prefixes[i], strlen(prefixes[i]))) {
                *len = n;
                return line;
            }
        line = nl ? nl + 1 : NULL;
    }
    return NULL;
}

#define LABEL_MAX 100 /* a result is a label, not a transcript: --seed shows the output */

/* stdout as one line: lines joined by ", ", cut at LABEL_MAX with "...". */
static void label_output(char *dst, size_t cap, const char *out)
{
    size_t k = 0;
    dst[0] = 0;
    for (const char *line = out; line && *line;) {
        const char *nl = strchr(line, '\n');
        size_t n = nl ? (size_t)(nl - line) : strlen(line);
        if (n && k + n + 3 < cap) {
            if (k)
                k += (size_t)snprintf(dst + k, cap - k, ", ");
            memcpy(dst + k, line, n);
            dst[k += n] = 0;
        }
        if (k > LABEL_MAX) {
            strcpy(dst + LABEL_MAX - 3, "...");
            return;
        }
        line = nl ? nl + 1 : NULL;
    }
}

char *cli_run_label(const cli_run *r)
{
    char buf[1024], end[256] = "";
    label_output(buf, sizeof buf, r->out);
    size_t fl;
    const char *fatal = run_fatal_line(r->err, &fl);
    if (r->timed_out)
        snprintf(end, sizeof end, "timed out");
    else if (r->truncated)
        snprintf(end, sizeof end, "output limit exceeded");
    else if (WIFSIGNALED(r->status))
        snprintf(end, sizeof end, "killed by signal %d (%s)", WTERMSIG(r->status), strsignal(WTERMSIG(r->status)));
    else if (fatal)
        snprintf(end, sizeof end, "%.*s", (int)fl, fatal);
    else if (WIFEXITED(r->status) && WEXITSTATUS(r->status) != 0 && WEXITSTATUS(r->status) != 66)
        snprintf(end, sizeof end, "exit status %d", WEXITSTATUS(r->status));
    char *label;
    if (!*end)
        label = strdup(*buf ? buf : "(no output)");
    else if (!*buf)
        label = strdup(end);
    else if (asprintf(&label, "%s -> %s", buf, end) < 0)
        label = NULL;
    if (!label) {
        fprintf(stderr, "racedemo: out of memory\n");
        exit(1);
    }
    return label;
}

static int outcome_cmp(const void *a, const void *b)
{
    const cli_outcome *x = a, *y = b;
    /* the order a learner reads best: by label (a=1, a=2, a=3), numbers numerically */
    long nx, ny;
    char cx, cy;
    if (sscanf(x->label, "%*[^=]=%ld%c", &nx, &cx) == 1 && sscanf(y->label, "%*[^=]=%ld%c", &ny, &cy) == 1 &&
        nx != ny)
        return nx < ny ? -1 : 1;
    return strcmp(x->label, y->label);
}

static int wall_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void cli_analyze(cli_variant_result *vr)
{
    vr->outcomes = calloc((size_t)vr->nruns + 1, sizeof *vr->outcomes);
    double *walls = calloc((size_t)vr->nruns + 1, sizeof *walls);
    double *cpus = calloc((size_t)vr->nruns + 1, sizeof *cpus);
    if (!vr->outcomes || !walls || !cpus) {
        fprintf(stderr, "racedemo: out of memory\n");
        exit(1);
    }
    for (int i = 0; i < vr->nruns; i++) {
        const cli_run *r = &vr->runs[i];
        walls[i] = r->wall_s;
        cpus[i] = r->cpu_s;
        int races = cli_run_races(r);
        if (races) {
            vr->runs_with_race++;
            if (!vr->first_race) {
                vr->first_race = cli_first_race(r->err);
                vr->first_race_seed = r->seed;
            }
        }
        if (races > vr->max_races)
            vr->max_races = races;
        bool clean_exit = !r->timed_out && !r->truncated && WIFEXITED(r->status) &&
                          (WEXITSTATUS(r->status) == 0 || WEXITSTATUS(r->status) == 66);
        vr->failures += !clean_exit;
        char *label = cli_run_label(r);
        int k = 0;
        while (k < vr->noutcomes && strcmp(vr->outcomes[k].label, label))
            k++;
        if (k == vr->noutcomes) {
            vr->outcomes[k] = (cli_outcome){label, 0, r->seed};
            vr->noutcomes++;
        } else {
            free(label);
        }
        vr->outcomes[k].count++;
    }
    qsort(vr->outcomes, (size_t)vr->noutcomes, sizeof *vr->outcomes, outcome_cmp);
    qsort(walls, (size_t)vr->nruns, sizeof *walls, wall_cmp);
    qsort(cpus, (size_t)vr->nruns, sizeof *cpus, wall_cmp);
    vr->wall_median_s = vr->nruns ? walls[vr->nruns / 2] : 0;
    vr->cpu_median_s = vr->nruns ? cpus[vr->nruns / 2] : 0;
    free(walls);
    free(cpus);
}

void cli_results_free(cli_results *res)
{
    for (int i = 0; i < res->nvariants; i++) {
        cli_variant_result *vr = &res->v[i];
        for (int k = 0; k < vr->nruns; k++)
            cli_run_free(&vr->runs[k]);
        for (int k = 0; k < vr->noutcomes; k++)
            free(vr->outcomes[k].label);
        free(vr->outcomes);
        free(vr->first_race);
    }
}

void cli_replay_command(char *buf, size_t cap, const cli_results *res, const cli_variant_result *vr,
                        uint64_t seed)
{
    const cli_opts *o = res->opts;
    int n = snprintf(buf, cap, "racedemo %s --variant %s --seed %llu", res->demo->name, vr->variant->name,
                     (unsigned long long)seed);
    if (o->procs != 1 && n > 0 && (size_t)n < cap)
        n += snprintf(buf + n, cap - (size_t)n, " --procs %d", o->procs);
    if (strcmp(o->strategy, "random") && n > 0 && (size_t)n < cap)
        n += snprintf(buf + n, cap - (size_t)n, " --strategy %s", o->strategy);
    if (!strcmp(o->strategy, "pct") && o->pct_depth != 3 && n > 0 && (size_t)n < cap)
        snprintf(buf + n, cap - (size_t)n, " --pct-depth %d", o->pct_depth);
}
