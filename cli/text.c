/*
 * text.c - the report a learner reads, in the order the issue fixes: what the program is,
 * the sources side by side, per variant the races and the distribution of results as a
 * bar chart, the first race report in full, and how to replay each outcome.
 *
 * Layout depends only on cli_opts.columns and .color, so with --no-color and a fixed
 * COLUMNS the report is byte-identical across runs (the golden tests rely on it).
 */
#define _GNU_SOURCE
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#define SRC_MAX_LINES 200
#define BAR_WIDTH 24

typedef struct src_text {
    char *buf;
    const char *line[SRC_MAX_LINES];
    int len[SRC_MAX_LINES];
    int n, width;
} src_text;

static const cli_opts *g_opts;

static const char *c_(const char *code) { return g_opts->color ? code : ""; }
#define C_RESET c_("\033[0m")
#define C_BOLD c_("\033[1m")
#define C_DIM c_("\033[2m")
#define C_RED c_("\033[31m")
#define C_GREEN c_("\033[32m")
#define C_YELLOW c_("\033[33m")
#define C_CYAN c_("\033[36m")

static bool text_utf8(void)
{
    const char *vars[] = {"LC_ALL", "LC_CTYPE", "LANG"};
    for (int i = 0; i < 3; i++) {
        const char *v = getenv(vars[i]);
        if (v && *v)
            return strcasestr(v, "utf-8") || strcasestr(v, "utf8");
    }
    return false;
}

/* Print s word-wrapped to the width, each line indented by `indent` spaces. */
static void text_wrap(const char *s, int indent)
{
    int width = g_opts->columns - indent, col = 0;
    if (width < 20)
        width = 20;
    printf("%*s", indent, "");
    while (*s) {
        int w = (int)strcspn(s, " ");
        if (col && col + 1 + w > width) {
            printf("\n%*s", indent, "");
            col = 0;
        } else if (col) {
            putchar(' ');
            col++;
        }
        printf("%.*s", w, s);
        col += w;
        s += w;
        while (*s == ' ')
            s++;
    }
    putchar('\n');
}

static void text_heading(const char *title)
{
    printf("\n%s%s%s\n", C_BOLD, title, C_RESET);
}

/* ---- sources ------------------------------------------------------------------------- */

/* The program as a learner should read it: the file without its leading comment, its
 * #include lines and the blank lines around them.  Tabs become four spaces. */
static void src_load(src_text *s, const char *path)
{
    memset(s, 0, sizeof *s);
    FILE *f = *path ? fopen(path, "r") : NULL;
    if (!f)
        return;
    size_t cap = 0;
    char *line = NULL;
    ssize_t n;
    size_t total = 0;
    s->buf = malloc(1 << 16);
    bool in_head = true, in_comment = false;
    while (s->buf && (n = getline(&line, &cap, f)) > 0 && s->n < SRC_MAX_LINES) {
        if (line[n - 1] == '\n')
            line[--n] = 0;
        if (in_head) {
            if (in_comment) {
                in_comment = !strstr(line, "*/");
                continue;
            }
            if (!strncmp(line, "/*", 2)) {
                in_comment = !strstr(line, "*/");
                continue;
            }
            if (!strncmp(line, "#include", 8) || !*line)
                continue;
            in_head = false;
        }
        char *dst = s->buf + total;
        int len = 0;
        for (ssize_t i = 0; i < n && total + (size_t)len + 5 < (1 << 16); i++) {
            if (line[i] == '\t')
                for (int k = 0; k < 4; k++)
                    dst[len++] = ' ';
            else
                dst[len++] = line[i];
        }
        dst[len] = 0;
        s->line[s->n] = dst;
        s->len[s->n++] = len;
        if (len > s->width)
            s->width = len;
        total += (size_t)len + 1;
    }
    while (s->n && !s->len[s->n - 1])
        s->n--;
    free(line);
    fclose(f);
}

/* Does `base` have this exact line?  Lines of a fix that the racy original lacks are
 * what the fix changed. */
static bool src_has_line(const src_text *base, const char *l, int len)
{
    for (int i = 0; i < base->n; i++)
        if (base->len[i] == len && !memcmp(base->line[i], l, (size_t)len))
            return true;
    return false;
}

static const char *src_display_name(const cli_variant_result *vr)
{
    static char name[512];
    snprintf(name, sizeof name, "demos/%s.c", vr->variant->program);
    return name;
}

static const char *role_color(enum cli_role r)
{
    return r == ROLE_RACY ? C_RED : r == ROLE_FIX ? C_GREEN : C_CYAN;
}

static void src_print_line(const src_text *s, const src_text *base, int i, int pad_to)
{
    bool changed = base && base != s && !src_has_line(base, s->line[i], s->len[i]);
    if (changed)
        printf("%s+ %s%s", C_GREEN, s->line[i], C_RESET);
    else
        printf("  %s", s->line[i]);
    if (pad_to > s->len[i])
        printf("%*s", pad_to - s->len[i], "");
}

static void text_sources(const cli_results *res)
{
    src_text src[CLI_MAX_VARIANTS];
    const src_text *base = NULL;
    int total = 0, rows = 0;
    for (int i = 0; i < res->nvariants; i++) {
        src_load(&src[i], res->v[i].source);
        char head[600];
        int hl = snprintf(head, sizeof head, "%s (%s)", res->v[i].variant->name, src_display_name(&res->v[i]));
        if (hl > src[i].width + 2)
            src[i].width = hl - 2;
        if (res->v[i].variant->role == ROLE_RACY && !base)
            base = &src[i];
        total += src[i].width + 2 + (i ? 3 : 0);
        if (src[i].n > rows)
            rows = src[i].n;
    }
    text_heading(res->nvariants > 1 && base ? "The program and its fixes (+ marks what a fix changed)"
                                            : "The program");
    bool side = res->nvariants > 1 && total <= g_opts->columns;
    for (int i = 0; i < res->nvariants; i++) {
        if (!side)
            printf("\n");
        if (side && i)
            printf(" %s|%s ", C_DIM, C_RESET);
        char head[600];
        int hl = snprintf(head, sizeof head, "%s (%s)", res->v[i].variant->name, src_display_name(&res->v[i]));
        printf("%s%s%s%s", C_BOLD, role_color(res->v[i].variant->role), head, C_RESET);
        if (side && i + 1 < res->nvariants)
            printf("%*s", src[i].width + 2 - hl, "");
        if (!side) {
            printf("\n");
            if (!src[i].n)
                printf("  (source not found)\n");
            for (int l = 0; l < src[i].n; l++) {
                src_print_line(&src[i], base, l, 0);
                printf("\n");
            }
        }
    }
    if (side) {
        printf("\n");
        for (int l = 0; l < rows; l++) {
            for (int i = 0; i < res->nvariants; i++) {
                bool last = i + 1 == res->nvariants;
                if (i)
                    printf(" %s|%s ", C_DIM, C_RESET);
                if (l < src[i].n)
                    src_print_line(&src[i], base, l, last ? 0 : src[i].width);
                else if (!last)
                    printf("%*s", src[i].width + 2, "");
            }
            printf("\n");
        }
    }
    for (int i = 0; i < res->nvariants; i++)
        free(src[i].buf);
}

/* ---- results ------------------------------------------------------------------------- */

static void text_bar(double frac, const char *color)
{
    bool utf8 = text_utf8();
    int eighths = (int)(frac * BAR_WIDTH * 8 + 0.5);
    if (frac > 0 && eighths == 0)
        eighths = 1;
    static const char *const part[] = {"", "\u258f", "\u258e", "\u258d", "\u258c", "\u258b", "\u258a", "\u2589"};
    printf("%s", color);
    int cells = 0;
    for (; eighths >= 8; eighths -= 8, cells++)
        printf("%s", utf8 ? "\u2588" : "#");
    if (eighths) {
        printf("%s", utf8 ? part[eighths] : (eighths >= 4 ? "#" : "-"));
        cells++;
    }
    printf("%s%*s", C_RESET, BAR_WIDTH - cells, "");
}

static void text_races_line(const cli_variant_result *vr)
{
    if (!vr->runs_with_race) {
        printf("%sno race reported%s", C_GREEN, C_RESET);
    } else {
        printf("%s%d race%s reported%s in %d of %d runs", C_RED, vr->max_races, vr->max_races == 1 ? "" : "s",
               vr->max_races > 1 ? " (at most)" : "", vr->runs_with_race, vr->nruns);
        printf("%s", C_RESET);
    }
    if (vr->failures)
        printf(", %s%d run%s failed%s", C_YELLOW, vr->failures, vr->failures == 1 ? "" : "s", C_RESET);
}

static int label_width(const cli_results *res)
{
    int w = 0;
    for (int i = 0; i < res->nvariants; i++)
        for (int k = 0; k < res->v[i].noutcomes; k++) {
            int l = (int)strlen(res->v[i].outcomes[k].label);
            if (l > w)
                w = l;
        }
    return w;
}

static void text_distribution(const cli_results *res)
{
    const cli_opts *o = res->opts;
    char title[256];
    snprintf(title, sizeof title, "Results over %d schedule%s per variant (seeds %llu-%llu, strategy %s, procs %d)",
             o->runs, o->runs == 1 ? "" : "s", (unsigned long long)o->seed,
             (unsigned long long)(o->seed + (uint64_t)o->runs - 1), o->strategy, o->procs);
    text_heading(title);
    int lw = label_width(res);
    /* labels longer than the line allows get a line of their own above the bar */
    bool own_line = 4 + lw + 2 + BAR_WIDTH + 14 > g_opts->columns;
    for (int i = 0; i < res->nvariants; i++) {
        const cli_variant_result *vr = &res->v[i];
        printf("%s%s%s%s: ", C_BOLD, role_color(vr->variant->role), vr->variant->name, C_RESET);
        text_races_line(vr);
        if (res->demo->timing)
            printf(", median wall time %.0f ms", vr->wall_median_s * 1000);
        printf("\n");
        const char *bar_color = vr->runs_with_race ? C_RED : vr->noutcomes > 1 ? C_YELLOW : C_GREEN;
        for (int k = 0; k < vr->noutcomes; k++) {
            const cli_outcome *oc = &vr->outcomes[k];
            double frac = (double)oc->count / vr->nruns;
            if (own_line)
                printf("    %s\n    ", oc->label);
            else
                printf("    %-*s  ", lw, oc->label);
            text_bar(frac, bar_color);
            printf(" %3.0f%% (%d)\n", frac * 100, oc->count);
        }
    }
    if (res->demo->timing && res->nvariants >= 2 && res->v[1].wall_median_s > 0)
        printf("\nspeed-up %s over %s: %.2fx\n", res->v[1].variant->name, res->v[0].variant->name,
               res->v[0].wall_median_s / res->v[1].wall_median_s);
}

static void text_first_race(const cli_results *res)
{
    for (int i = 0; i < res->nvariants; i++) {
        const cli_variant_result *vr = &res->v[i];
        if (!vr->first_race)
            continue;
        char title[256];
        snprintf(title, sizeof title, "The first race report (%s, seed %llu)", vr->variant->name,
                 (unsigned long long)vr->first_race_seed);
        text_heading(title);
        printf("%s\n", vr->first_race);
        return;
    }
    if (res->opts->runs > 0)
        printf("\nNo variant reported a data race.\n");
}

static void text_replay_lines(const cli_results *res)
{
    text_heading("Replay any outcome exactly");
    int lw = label_width(res), nw = 0;
    for (int i = 0; i < res->nvariants; i++) {
        int l = (int)strlen(res->v[i].variant->name);
        nw = l > nw ? l : nw;
    }
    bool own_line = 4 + nw + 2 + lw + 2 + 50 > g_opts->columns;
    for (int i = 0; i < res->nvariants; i++) {
        const cli_variant_result *vr = &res->v[i];
        for (int k = 0; k < vr->noutcomes; k++) {
            char cmd[512];
            cli_replay_command(cmd, sizeof cmd, res, vr, vr->outcomes[k].first_seed);
            if (own_line)
                printf("  %-*s  %s\n      %s%s%s\n", nw, vr->variant->name, vr->outcomes[k].label, C_CYAN, cmd, C_RESET);
            else
                printf("  %-*s  %-*s  %s%s%s\n", nw, vr->variant->name, lw, vr->outcomes[k].label, C_CYAN, cmd,
                       C_RESET);
        }
    }
}

void cli_text_report(const cli_results *res)
{
    g_opts = res->opts;
    printf("%s%s%s: %s\n", C_BOLD, res->demo->name, C_RESET, res->demo->section);
    text_wrap(res->demo->what, 2);
    text_sources(res);
    text_distribution(res);
    text_first_race(res);
    text_replay_lines(res);
}

/* --seed without --runs: one schedule per variant, its output exactly as the program
 * wrote it, then what it came to. */
void cli_text_replay(const cli_results *res)
{
    g_opts = res->opts;
    for (int i = 0; i < res->nvariants; i++) {
        const cli_variant_result *vr = &res->v[i];
        const cli_run *r = &vr->runs[0];
        char title[256];
        snprintf(title, sizeof title, "%s --variant %s, seed %llu (strategy %s, procs %d)", res->demo->name,
                 vr->variant->name, (unsigned long long)r->seed, res->opts->strategy, res->opts->procs);
        printf("%s%s%s\n", C_BOLD, title, C_RESET);
        printf("%s--- stdout ---%s\n%s", C_DIM, C_RESET, r->out);
        if (r->nout && r->out[r->nout - 1] != '\n')
            printf("\n");
        printf("%s--- stderr ---%s\n%s", C_DIM, C_RESET, r->err);
        if (r->nerr && r->err[r->nerr - 1] != '\n')
            printf("\n");
        char *label = cli_run_label(r);
        int races = cli_run_races(r);
        printf("%s---%s result: %s; ", C_DIM, C_RESET, label);
        if (races)
            printf("%s%d race%s reported%s", C_RED, races, races == 1 ? "" : "s", C_RESET);
        else
            printf("%sno race reported%s", C_GREEN, C_RESET);
        if (r->timed_out)
            printf("; timed out\n");
        else if (WIFEXITED(r->status))
            printf("; exit status %d\n", WEXITSTATUS(r->status));
        else
            printf("; killed by signal %d\n", WTERMSIG(r->status));
        if (i + 1 < res->nvariants)
            printf("\n");
        free(label);
    }
}
