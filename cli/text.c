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

static bool src_same(const src_text *a, int i, const src_text *b, int j)
{
    return a->len[i] == b->len[j] && !memcmp(a->line[i], b->line[j], (size_t)a->len[i]);
}

/* How a fix lines up against the base (first) variant, for the side-by-side view:
 * beside[i] is the fix line shown next to base line i (-1: none), same[i] whether it is
 * the identical line or a replacement; extra[i] fix lines (from extra_from[i]) have no
 * base counterpart and get rows of their own before base line i (i == base->n: at the
 * end).  Built from the longest common subsequence of lines; inside each changed stretch
 * the k-th removed base line is paired with the k-th added fix line. */
typedef struct src_align_t {
    int *beside, *extra, *extra_from;
    bool *same;
} src_align_t;

static void src_align_free(src_align_t *a)
{
    free(a->beside);
    free(a->extra);
    free(a->extra_from);
    free(a->same);
}

/* Close a changed stretch: base lines [b0, b1) were removed and fix lines [f0, f1)
 * added between the same two common lines. */
static void src_align_gap(src_align_t *a, int b0, int b1, int f0, int f1)
{
    int k = 0;
    for (; b0 + k < b1 && f0 + k < f1; k++)
        a->beside[b0 + k] = f0 + k;
    if (f0 + k < f1) {
        a->extra[b1] = f1 - (f0 + k);
        a->extra_from[b1] = f0 + k;
    }
}

static bool src_align(const src_text *base, const src_text *fix, src_align_t *a)
{
    int n = base->n, m = fix->n;
    size_t nb = (size_t)n + 1;
    a->beside = malloc(nb * sizeof(int));
    a->extra = calloc(nb, sizeof(int));
    a->extra_from = calloc(nb, sizeof(int));
    a->same = calloc(nb, sizeof(bool));
    int *t = calloc(nb * (size_t)(m + 1), sizeof *t);
    if (!a->beside || !a->extra || !a->extra_from || !a->same || !t) {
        free(t);
        return false;
    }
#define T(i, j) t[(size_t)(i) * (size_t)(m + 1) + (size_t)(j)]
    for (int i = n - 1; i >= 0; i--)
        for (int j = m - 1; j >= 0; j--)
            T(i, j) = src_same(base, i, fix, j) ? T(i + 1, j + 1) + 1
                                                 : (T(i + 1, j) >= T(i, j + 1) ? T(i + 1, j) : T(i, j + 1));
    for (int i = 0; i < n; i++)
        a->beside[i] = -1;
    int i = 0, j = 0, gi = 0, gj = 0;
    while (i < n || j < m) {
        if (i < n && j < m && src_same(base, i, fix, j)) {
            src_align_gap(a, gi, i, gj, j);
            a->beside[i] = j;
            a->same[i] = true;
            gi = ++i;
            gj = ++j;
        } else if (j < m && (i == n || T(i, j + 1) >= T(i + 1, j))) {
            j++;
        } else {
            i++;
        }
    }
    src_align_gap(a, gi, n, gj, m);
#undef T
    free(t);
    return true;
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

/* One cell of the side-by-side view: the line (or blanks), marked "+" when a fix added
 * it, padded to the column's width unless it is the last column. */
/* Side-by-side rows are built in memory so trailing blanks can be dropped. */
static FILE *g_row;
static char *g_row_buf;
static size_t g_row_len;

static void row_begin(void)
{
    g_row = open_memstream(&g_row_buf, &g_row_len);
    if (!g_row)
        g_row = stdout;
}

static void row_end(void)
{
    if (g_row == stdout) {
        putchar('\n');
        return;
    }
    fclose(g_row);
    while (g_row_len && g_row_buf[g_row_len - 1] == ' ')
        g_row_len--;
    printf("%.*s\n", (int)g_row_len, g_row_buf);
    free(g_row_buf);
}

static void src_cell(const src_text *s, int l, bool added, int width, bool last)
{
    int len = 0;
    if (l >= 0) {
        if (added)
            fprintf(g_row, "%s+ %s%s", C_GREEN, s->line[l], C_RESET);
        else
            fprintf(g_row, "  %s", s->line[l]);
        len = s->len[l];
    } else if (!last) {
        fprintf(g_row, "  ");
    }
    if (!last && width > len)
        fprintf(g_row, "%*s", width - len, "");
}

static void src_side_by_side(const cli_results *res, src_text *src, int nv)
{
    const src_text *base = &src[0];
    src_align_t al[CLI_MAX_VARIANTS] = {{0}};
    for (int v = 1; v < nv; v++)
        if (!src_align(base, &src[v], &al[v]))
            goto out;
    row_begin();
    for (int v = 0; v < nv; v++) {
        char head[600];
        int hl = snprintf(head, sizeof head, "%s (%s)", res->v[v].variant->name, src_display_name(&res->v[v]));
        if (v)
            fprintf(g_row, " %s|%s ", C_DIM, C_RESET);
        fprintf(g_row, "%s%s%s%s", C_BOLD, role_color(res->v[v].variant->role), head, C_RESET);
        if (v + 1 < nv)
            fprintf(g_row, "%*s", src[v].width + 2 - hl, "");
    }
    row_end();
    for (int i = 0; i <= base->n; i++) {
        /* rows for lines the fixes add before base line i */
        for (int r = 0;; r++) {
            bool any = false;
            for (int v = 1; v < nv; v++)
                any |= r < al[v].extra[i];
            if (!any)
                break;
            row_begin();
            src_cell(base, -1, false, src[0].width, false);
            for (int v = 1; v < nv; v++) {
                fprintf(g_row, " %s|%s ", C_DIM, C_RESET);
                bool has = r < al[v].extra[i];
                src_cell(&src[v], has ? al[v].extra_from[i] + r : -1, true, src[v].width, v + 1 == nv);
            }
            row_end();
        }
        if (i == base->n)
            break;
        row_begin();
        src_cell(base, i, false, src[0].width, false);
        for (int v = 1; v < nv; v++) {
            fprintf(g_row, " %s|%s ", C_DIM, C_RESET);
            src_cell(&src[v], al[v].beside[i], !al[v].same[i], src[v].width, v + 1 == nv);
        }
        row_end();
    }
out:
    for (int v = 1; v < nv; v++)
        src_align_free(&al[v]);
}

/* Too narrow for columns: one source after the other, fixes marked against the first. */
static void src_stacked(const cli_results *res, src_text *src, int nv)
{
    for (int v = 0; v < nv; v++) {
        printf("\n%s%s%s (%s)%s\n", C_BOLD, role_color(res->v[v].variant->role), res->v[v].variant->name,
               src_display_name(&res->v[v]), C_RESET);
        if (!src[v].n)
            printf("  (source not found)\n");
        src_align_t al = {0};
        bool *added = calloc((size_t)src[v].n + 1, sizeof *added);
        if (v && added && src_align(&src[0], &src[v], &al)) {
            for (int l = 0; l < src[v].n; l++)
                added[l] = true;
            for (int i = 0; i < src[0].n; i++)
                if (al.same[i])
                    added[al.beside[i]] = false;
        }
        for (int l = 0; l < src[v].n; l++) {
            row_begin();
            src_cell(&src[v], l, added && added[l], 0, true);
            row_end();
        }
        src_align_free(&al);
        free(added);
    }
}

static void text_sources(const cli_results *res)
{
    src_text src[CLI_MAX_VARIANTS];
    int nv = res->nvariants, total = 0;
    for (int v = 0; v < nv; v++) {
        src_load(&src[v], res->v[v].source);
        char head[600];
        int hl = snprintf(head, sizeof head, "%s (%s)", res->v[v].variant->name, src_display_name(&res->v[v]));
        if (hl > src[v].width + 2)
            src[v].width = hl - 2;
        total += src[v].width + 2 + (v ? 3 : 0);
    }
    bool fixes = nv > 1 && res->v[0].variant->role == ROLE_RACY;
    text_heading(fixes ? "The program and its fixes (+ marks what a fix changed)"
                       : nv > 1 ? "The programs (+ marks what differs from the first)" : "The program");
    if (nv > 1 && total <= g_opts->columns) {
        printf("\n");
        src_side_by_side(res, src, nv);
    } else {
        src_stacked(res, src, nv);
    }
    for (int v = 0; v < nv; v++)
        free(src[v].buf);
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
        printf("%sdata race reported in %d of %d runs%s", C_RED, vr->runs_with_race, vr->nruns, C_RESET);
        if (vr->max_races > 1)
            printf(" (up to %d distinct races in one run)", vr->max_races);
    }
    if (vr->failures)
        printf(", %s%d run%s ended in an error%s", C_YELLOW, vr->failures, vr->failures == 1 ? "" : "s", C_RESET);
}

/* Which outcomes get a row: all of them when there are few; otherwise the most
 * frequent CHART_MAX_ROWS - 1 (earliest first seed breaks ties), in label order, and
 * one row for the rest.  Returns how many indices were written to shown[]. */
#define CHART_MAX_ROWS 8

static int text_shown_outcomes(const cli_variant_result *vr, int *shown, int *rest_runs)
{
    *rest_runs = 0;
    if (vr->noutcomes <= CHART_MAX_ROWS) {
        for (int k = 0; k < vr->noutcomes; k++)
            shown[k] = k;
        return vr->noutcomes;
    }
    bool *pick = calloc((size_t)vr->noutcomes, sizeof *pick);
    if (!pick)
        return 0;
    for (int r = 0; r < CHART_MAX_ROWS - 1; r++) {
        int best = -1;
        for (int k = 0; k < vr->noutcomes; k++) {
            const cli_outcome *o = &vr->outcomes[k];
            if (!pick[k] && (best < 0 || o->count > vr->outcomes[best].count ||
                             (o->count == vr->outcomes[best].count && o->first_seed < vr->outcomes[best].first_seed)))
                best = k;
        }
        pick[best] = true;
    }
    int n = 0;
    for (int k = 0; k < vr->noutcomes; k++) {
        if (pick[k])
            shown[n++] = k;
        else
            *rest_runs += vr->outcomes[k].count;
    }
    free(pick);
    return n;
}

static int label_width(const cli_results *res)
{
    int w = 0, shown[CHART_MAX_ROWS], rest;
    for (int i = 0; i < res->nvariants; i++) {
        int n = text_shown_outcomes(&res->v[i], shown, &rest);
        for (int k = 0; k < n; k++) {
            int l = (int)strlen(res->v[i].outcomes[shown[k]].label);
            if (l > w)
                w = l;
        }
    }
    return w;
}

static void text_bar_row(const char *label, int lw, bool own_line, int count, int nruns, const char *color)
{
    double frac = (double)count / nruns;
    if (own_line)
        printf("    %s\n    ", label);
    else
        printf("    %-*s  ", lw, label);
    text_bar(frac, color);
    printf(" %3.0f%% (%d)\n", frac * 100, count);
}

static void text_distribution(const cli_results *res)
{
    const cli_opts *o = res->opts;
    char title[256], seeds[64], procs[64];
    if (o->runs == 1)
        snprintf(seeds, sizeof seeds, "seed %llu", (unsigned long long)o->seed);
    else
        snprintf(seeds, sizeof seeds, "seeds %llu-%llu", (unsigned long long)o->seed,
                 (unsigned long long)(o->seed + (uint64_t)o->runs - 1));
    if (res->demo->timing) /* its programs call go_maxprocs themselves */
        snprintf(procs, sizeof procs, "each variant sets its own GOMAXPROCS");
    else
        snprintf(procs, sizeof procs, "procs %d", o->procs);
    snprintf(title, sizeof title, "Results over %d schedule%s per variant (%s, strategy %s, %s)", o->runs,
             o->runs == 1 ? "" : "s", seeds, o->strategy, procs);
    text_heading(title);
    int lw = label_width(res);
    /* labels longer than the line allows get a line of their own above the bar */
    bool own_line = 4 + lw + 2 + BAR_WIDTH + 14 > g_opts->columns;
    for (int i = 0; i < res->nvariants; i++) {
        const cli_variant_result *vr = &res->v[i];
        printf("%s%s%s%s: ", C_BOLD, role_color(vr->variant->role), vr->variant->name, C_RESET);
        text_races_line(vr);
        if (res->demo->timing)
            printf(", median wall time %.0f ms (CPU time %.0f ms)", vr->wall_median_s * 1000,
                   vr->cpu_median_s * 1000);
        printf("\n");
        const char *bar_color = vr->runs_with_race ? C_RED : vr->noutcomes > 1 ? C_YELLOW : C_GREEN;
        int shown[CHART_MAX_ROWS], rest;
        int n = text_shown_outcomes(vr, shown, &rest);
        for (int k = 0; k < n; k++)
            text_bar_row(vr->outcomes[shown[k]].label, lw, own_line, vr->outcomes[shown[k]].count, vr->nruns,
                         bar_color);
        if (rest) {
            char label[64];
            snprintf(label, sizeof label, "%d other results", vr->noutcomes - n);
            text_bar_row(label, lw, own_line || (int)strlen(label) > lw, rest, vr->nruns, bar_color);
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

/* A run that ended in an error (Go's fatal error or panic, a signal, the time limit):
 * its stderr, so the learner sees the runtime's own words and goroutine dump. */
#define ERROR_MAX_LINES 30

static void text_first_error(const cli_results *res)
{
    for (int i = 0; i < res->nvariants; i++) {
        const cli_variant_result *vr = &res->v[i];
        for (int k = 0; k < vr->nruns && vr->failures; k++) {
            const cli_run *r = &vr->runs[k];
            bool clean = !r->timed_out && !r->truncated && WIFEXITED(r->status) &&
                         (WEXITSTATUS(r->status) == 0 || WEXITSTATUS(r->status) == 66);
            if (clean)
                continue;
            char title[256];
            snprintf(title, sizeof title, "The first run that ended in an error (%s, seed %llu): its stderr",
                     vr->variant->name, (unsigned long long)r->seed);
            text_heading(title);
            const char *p = r->err;
            for (int l = 0; l < ERROR_MAX_LINES && p && *p; l++) {
                const char *nl = strchr(p, '\n');
                printf("%.*s\n", (int)(nl ? nl - p : (long)strlen(p)), p);
                p = nl ? nl + 1 : NULL;
            }
            if (p && *p)
                printf("... (%s shows all of it)\n", "the replay command below");
            if (!*r->err)
                printf("(nothing)\n");
            return;
        }
    }
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
        int shown[CHART_MAX_ROWS], rest;
        int n = text_shown_outcomes(vr, shown, &rest);
        for (int k = 0; k < n; k++) {
            const cli_outcome *o = &vr->outcomes[shown[k]];
            char cmd[512];
            cli_replay_command(cmd, sizeof cmd, res, vr, o->first_seed);
            if (own_line)
                printf("  %-*s  %s\n      %s%s%s\n", nw, vr->variant->name, o->label, C_CYAN, cmd, C_RESET);
            else
                printf("  %-*s  %-*s  %s%s%s\n", nw, vr->variant->name, lw, o->label, C_CYAN, cmd, C_RESET);
        }
        if (rest)
            printf("  %-*s  (--json lists the seed of every result)\n", nw, vr->variant->name);
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
    text_first_error(res);
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
