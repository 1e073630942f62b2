/*
 * check_format.c - one check_result, five ways: text for people, JSON (schema in
 * docs/check.md), JUnit XML (one testcase per check: GitLab, Jenkins), SARIF 2.1.0 (code
 * scanning: both accesses of a race as location and related location) and GitHub Actions
 * workflow commands (::error file=...,line=...::).  Pure functions of the result: the same
 * result always prints the same bytes.
 */
#define _GNU_SOURCE
#include "check_impl.h"
#include "check_config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const char *const fmt_names[] = {"text", "json", "junit", "sarif", "github"};

bool fmt_valid(const char *format)
{
    for (size_t i = 0; i < sizeof fmt_names / sizeof *fmt_names; i++)
        if (!strcmp(format, fmt_names[i]))
            return true;
    return false;
}

/* ---- shared pieces ---------------------------------------------------------------------- */

/* "Write at 0x7f00 by goroutine 7" -> "Write by goroutine 7": addresses mean nothing here. */
static void fmt_title(strbuf *b, const char *title)
{
    const char *at = strstr(title, " at 0x");
    if (!at) {
        sb_puts(b, title);
        return;
    }
    sb_add(b, title, (size_t)(at - title));
    const char *rest = at + 6;
    while (isxdigit((unsigned char)*rest))
        rest++;
    sb_puts(b, rest);
}

/* " in f at file:line", or " in chan_close() from f at file:line" when the access is
 * the operation's own. */
static void fmt_frame_at(strbuf *b, const stack *st, const frame *fr)
{
    if (!fr)
        return;
    bool op = st->nframes && rep_is_op_frame(&st->frames[0]) && fr != &st->frames[0];
    if (op)
        sb_printf(b, " in %s", st->frames[0].func);
    sb_printf(b, " %s %s at %s:%d", op ? "from" : "in", fr->func, fr->file, fr->line);
}

/* One line saying what the finding is. */
static void fmt_summary(strbuf *b, const finding *f)
{
    if (f->kind != FK_RACE || f->nstacks == 0) {
        sb_puts(b, f->message);
        const frame *loc = rep_location(f);
        if (loc)
            sb_printf(b, " (%s at %s:%d)", loc->func, loc->file, loc->line);
        return;
    }
    sb_puts(b, "data race: ");
    fmt_title(b, f->stacks[0].title);
    fmt_frame_at(b, &f->stacks[0], rep_location(f));
    if (f->nstacks > 1) {
        sb_puts(b, " races with ");
        strbuf t = {0};
        fmt_title(&t, f->stacks[1].title);
        char *s = sb_take(&t);
        if (s[0])
            s[0] = (char)tolower((unsigned char)s[0]);
        sb_puts(b, s);
        free(s);
        fmt_frame_at(b, &f->stacks[1], rep_related(f));
    }
}

static char *fmt_summary_str(const finding *f)
{
    strbuf b = {0};
    fmt_summary(&b, f);
    return sb_take(&b);
}

static void fmt_files(strbuf *b, const check_opts *o, const char *sep)
{
    if (o->name) {
        sb_puts(b, o->name);
        return;
    }
    for (int i = 0; i < o->nfiles; i++)
        sb_printf(b, "%s%s", i ? sep : "", o->files[i]);
}

/* A compiler diagnostic "file:line:col: error: msg". */
typedef struct diag {
    char file[1024];
    int line, col;
    char msg[512];
} diag;

/* The error diagnostics of the compiler output, at most max. */
static const char *fmt_runs(int n) { return n == 1 ? "run" : "runs"; }

/* The leak note matters only when some run did not end by main returning: those runs
 * were not checked for leaks. */
static bool fmt_leak_note_applies(const check_result *r)
{
    for (int i = 0; i < r->findings.n; i++) {
        int k = r->findings.v[i].kind;
        if (k == FK_CRASH || k == FK_RUNTIME || k == FK_EXIT || k == FK_TIMEOUT)
            return true;
    }
    return false;
}

static int fmt_diags(const char *out, diag *d, int max)
{
    int n = 0;
    while (out && *out && n < max) {
        const char *nl = strchr(out, '\n');
        size_t len = nl ? (size_t)(nl - out) : strlen(out);
        char line[1024];
        snprintf(line, sizeof line, "%.*s", (int)(len < sizeof line ? len : sizeof line - 1), out);
        char *e = strstr(line, ": error: ");
        if (!e)
            e = strstr(line, ": fatal error: ");
        int l = 0, c = 0;
        if (e) {
            *e = 0;
            char *p2 = strrchr(line, ':');
            if (p2 && (c = atoi(p2 + 1)) > 0) {
                *p2 = 0;
                char *p1 = strrchr(line, ':');
                if (p1 && (l = atoi(p1 + 1)) > 0) {
                    *p1 = 0;
                    snprintf(d[n].file, sizeof d[n].file, "%s", line);
                    d[n].line = l, d[n].col = c;
                    snprintf(d[n].msg, sizeof d[n].msg, "%s", strchr(e + 2, ' ') + 1);
                    n++;
                }
            }
        }
        out = nl ? nl + 1 : out + len;
    }
    return n;
}

/* ---- text --------------------------------------------------------------------------------------- */

static void text_indent(FILE *f, const char *s, const char *pfx)
{
    while (s && *s) {
        const char *nl = strchr(s, '\n');
        int len = nl ? (int)(nl - s) : (int)strlen(s);
        int plen = (int)strlen(pfx);
        while (!len && plen && pfx[plen - 1] == ' ')
            plen--; /* a blank line keeps the margin, without trailing spaces */
        fprintf(f, "%.*s%.*s\n", plen, pfx, len, s);
        s = nl ? nl + 1 : s + len;
    }
}

static void text_write(FILE *f, const check_result *r)
{
    const check_opts *o = r->opts;
    strbuf who = {0};
    fmt_files(&who, o, " ");
    int code = vd_exit_code(r);
    const char *verdict = vd_verdict(r);
    fprintf(f, "racedemo check %s: %s (exit %d)\n", sb_str(&who), verdict, code);
    sb_free(&who);
    if (r->internal_error) {
        fprintf(f, "internal error: %s\n", r->internal_error);
        return;
    }
    if (!r->compiled) {
        fputs("the program does not compile:\n", f);
        text_indent(f, sb_str(&r->compile_output), "  ");
        return;
    }
    fprintf(f, "%d %s (seeds %llu..%llu, procs %d, strategy %s) in %.2f s: %d failed",
            r->runs_done, fmt_runs(r->runs_done), (unsigned long long)o->seed,
            (unsigned long long)(o->seed + (uint64_t)(o->runs - 1)), o->procs, o->strategy,
            r->elapsed_s, r->runs_failed);
    if (r->runs_skipped)
        fprintf(f, ", %d skipped", r->runs_skipped);
    fputs("\n", f);
    for (int i = 0; i < r->findings.n; i++) {
        const finding *x = &r->findings.v[i];
        char *sum = fmt_summary_str(x), *replay = vd_replay_cmd(r, x);
        fprintf(f, "\n%d) %s in %d of %d %s, first at seed %llu\n   %s\n   replay: %s\n", i + 1,
                rep_kind_title(x->kind), x->count, r->runs_done, fmt_runs(r->runs_done),
                (unsigned long long)x->first_seed, sum, replay);
        text_indent(f, x->report, "   | ");
        free(sum);
        free(replay);
    }
    if (r->output_truncated)
        fputs("\nnote: output truncated: the program printed more than racedemo keeps\n", f);
    if (fmt_leak_note_applies(r))
        fprintf(f, "note: %s\n", r->leak_note);
}

/* Length of the valid UTF-8 sequence at p (1-4), or 0: a program's output may be any
 * bytes, and JSON and XML documents must stay valid UTF-8 whatever it printed. */
static int utf8_len(const unsigned char *p)
{
    int n = p[0] >= 0xf0 && p[0] <= 0xf4 ? 4 : p[0] >= 0xe0 ? 3 : p[0] >= 0xc2 && p[0] <= 0xdf ? 2 : 0;
    if (p[0] >= 0xf8)
        return 0;
    for (int i = 1; i < n; i++)
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    if ((n == 3 && p[0] == 0xe0 && p[1] < 0xa0) || (n == 3 && p[0] == 0xed && p[1] >= 0xa0) ||
        (n == 4 && p[0] == 0xf0 && p[1] < 0x90) || (n == 4 && p[0] == 0xf4 && p[1] >= 0x90))
        return 0; /* overlong, surrogate or beyond U+10FFFF */
    return n;
}

/* ---- JSON ------------------------------------------------------------------------------------------ */

/* n bytes of s, NUL bytes included (a program's output may hold them); s[n] must be
 * readable and NUL, so a UTF-8 sequence cut at the end is seen as invalid. */
static void json_strn(FILE *f, const char *s, size_t n)
{
    fputc('"', f);
    const unsigned char *end = (const unsigned char *)s + n;
    for (const unsigned char *p = (const unsigned char *)s; p < end; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", f);
        else if (*p == '\t')
            fputs("\\t", f);
        else if (*p < 0x20 || *p == 0x7f)
            fprintf(f, "\\u%04x", *p);
        else if (*p >= 0x80) {
            int n = utf8_len(p);
            if (n)
                fwrite(p, 1, (size_t)n, f), p += n - 1;
            else
                fputs("\\ufffd", f);
        } else {
            fputc(*p, f);
        }
    }
    fputc('"', f);
}

static void json_str(FILE *f, const char *s)
{
    json_strn(f, s ? s : "", s ? strlen(s) : 0);
}

static void json_frame(FILE *f, const frame *fr)
{
    if (!fr) {
        fputs("null", f);
        return;
    }
    fputs("{\"function\": ", f);
    json_str(f, fr->func);
    fputs(", \"file\": ", f);
    if (fr->file)
        json_str(f, fr->file);
    else
        fputs("null", f);
    fprintf(f, ", \"line\": %d}", fr->line);
}

static void json_finding(FILE *f, const check_result *r, const finding *x)
{
    char *sum = fmt_summary_str(x), *replay = vd_replay_cmd(r, x);
    fputs("    {\"kind\": ", f);
    json_str(f, rep_kind_name(x->kind));
    fputs(", \"message\": ", f);
    json_str(f, x->message);
    fputs(", \"summary\": ", f);
    json_str(f, sum);
    fprintf(f, ", \"count\": %d, \"first_seed\": %llu, \"replay\": ", x->count,
            (unsigned long long)x->first_seed);
    json_str(f, replay);
    fputs(",\n     \"location\": ", f);
    json_frame(f, rep_location(x));
    fputs(", \"related\": ", f);
    json_frame(f, rep_related(x));
    fputs(",\n     \"stacks\": [", f);
    for (int s = 0; s < x->nstacks; s++) {
        fputs(s ? ", {\"title\": " : "{\"title\": ", f);
        json_str(f, x->stacks[s].title);
        fputs(", \"frames\": [", f);
        for (int k = 0; k < x->stacks[s].nframes; k++) {
            if (k)
                fputs(", ", f);
            json_frame(f, &x->stacks[s].frames[k]);
        }
        fputs("]}", f);
    }
    fputs("],\n     \"report\": ", f);
    json_str(f, x->report);
    fputs("}", f);
    free(sum);
    free(replay);
}

static void json_write(FILE *f, const check_result *r)
{
    const check_opts *o = r->opts;
    fputs("{\n  \"schema\": \"racedemo-check/1\",\n  \"tool\": {\"name\": \"racedemo check\", \"version\": ", f);
    json_str(f, RACEDEMO_CHECK_VERSION);
    fputs("},\n  \"name\": ", f);
    strbuf who = {0};
    fmt_files(&who, o, " ");
    json_str(f, sb_str(&who));
    sb_free(&who);
    fputs(",\n  \"files\": [", f);
    for (int i = 0; i < o->nfiles; i++) {
        if (i)
            fputs(", ", f);
        json_str(f, o->files[i]);
    }
    fprintf(f, "],\n  \"config\": {\"runs\": %d, \"seed\": %llu, \"procs\": %d, \"strategy\": ", o->runs,
            (unsigned long long)o->seed, o->procs);
    json_str(f, o->strategy);
    fprintf(f, ", \"timeout_s\": %g, \"jobs\": %d},\n  \"verdict\": ", o->timeout_s, o->jobs);
    json_str(f, vd_verdict(r));
    fprintf(f, ",\n  \"exit_code\": %d,\n  \"compile\": {\"ok\": %s, \"commands\": ", vd_exit_code(r),
            r->compiled ? "true" : "false");
    json_str(f, r->compile_cmd);
    fputs(", \"output\": ", f);
    json_str(f, sb_str(&r->compile_output));
    fprintf(f, "},\n  \"runs\": {\"requested\": %d, \"done\": %d, \"failed\": %d, \"skipped\": %d},\n",
            r->compiled ? o->runs : 0, r->runs_done, r->runs_failed, r->runs_skipped);
    fprintf(f, "  \"elapsed_s\": %.3f,\n  \"output_truncated\": %s,\n  \"internal_error\": ", r->elapsed_s,
            r->output_truncated ? "true" : "false");
    if (r->internal_error)
        json_str(f, r->internal_error);
    else
        fputs("null", f);
    fputs(",\n  \"counts\": {", f);
    for (int k = 0; k < FK_NKINDS; k++) {
        fprintf(f, "%s", k ? ", " : "");
        json_str(f, rep_kind_name((enum finding_kind)k));
        fprintf(f, ": %d", vd_count(r, (enum finding_kind)k));
    }
    fputs("},\n  \"findings\": [\n", f);
    for (int i = 0; i < r->findings.n; i++) {
        json_finding(f, r, &r->findings.v[i]);
        fputs(i + 1 < r->findings.n ? ",\n" : "\n", f);
    }
    fputs("  ],\n  \"program_output\": ", f);
    json_strn(f, r->sample_output ? r->sample_output : "", r->sample_output_len);
    fputs(",\n  \"notes\": [", f);
    if (fmt_leak_note_applies(r))
        json_str(f, r->leak_note);
    fputs("]\n}\n", f);
}

/* ---- XML (JUnit) ------------------------------------------------------------------------------------ */

static void xml_str(FILE *f, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        switch (*p) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&apos;", f); break;
        default:
            /* XML 1.0 forbids most control characters even escaped, and bad UTF-8 */
            if (*p >= 0x80) {
                int n = utf8_len(p);
                if (n)
                    fwrite(p, 1, (size_t)n, f), p += n - 1;
                else
                    fputs("?", f);
            } else if (*p >= 0x20 || *p == '\n' || *p == '\t' || *p == '\r') {
                fputc(*p, f);
            } else {
                fputs("?", f);
            }
        }
    }
}

typedef struct junit_check {
    const char *name;
    int kind;      /* a finding kind, or -1 for compile */
} junit_check;

static const junit_check junit_checks[] = {
    {"compile", -1},
    {"data races", FK_RACE},
    {"deadlocks", FK_DEADLOCK},
    {"crashes", FK_CRASH},
    {"runtime errors", FK_RUNTIME},
    {"exit status", FK_EXIT},
    {"timeouts", FK_TIMEOUT},
    {"goroutine leaks", FK_LEAK},
};
#define JUNIT_NCHECKS ((int)(sizeof junit_checks / sizeof *junit_checks))

static bool junit_failed(const check_result *r, const junit_check *c)
{
    return c->kind < 0 ? !r->compiled : vd_count(r, (enum finding_kind)c->kind) > 0;
}

static void junit_case(FILE *f, const check_result *r, const junit_check *c, const char *suite)
{
    fputs("    <testcase classname=\"", f);
    xml_str(f, suite);
    fprintf(f, "\" name=\"%s\" time=\"0\">\n", c->name);
    if (c->kind >= 0 && (!r->compiled || r->internal_error)) {
        fputs("      <skipped message=\"not run: the program was not built\"/>\n", f);
    } else if (junit_failed(r, c)) {
        strbuf body = {0};
        if (c->kind < 0)
            sb_puts(&body, sb_str(&r->compile_output));
        for (int i = 0; c->kind >= 0 && i < r->findings.n; i++) {
            const finding *x = &r->findings.v[i];
            if ((int)x->kind != c->kind)
                continue;
            char *sum = fmt_summary_str(x), *replay = vd_replay_cmd(r, x);
            sb_printf(&body, "%s\nin %d of %d %s, first at seed %llu\nreplay: %s\n%s\n", sum, x->count,
                      r->runs_done, fmt_runs(r->runs_done), (unsigned long long)x->first_seed, replay,
                      x->report);
            free(sum);
            free(replay);
        }
        fprintf(f, "      <failure type=\"%s\" message=\"", c->kind < 0 ? "compile-error"
                                                              : rep_kind_name((enum finding_kind)c->kind));
        if (c->kind < 0)
            xml_str(f, "the program does not compile");
        else
            fprintf(f, "%d distinct %s", vd_count(r, (enum finding_kind)c->kind), c->name);
        fputs("\">", f);
        xml_str(f, sb_str(&body));
        fputs("</failure>\n", f);
        sb_free(&body);
    }
    fputs("    </testcase>\n", f);
}

static void junit_write(FILE *f, const check_result *r)
{
    strbuf who = {0};
    fmt_files(&who, r->opts, " ");
    int failures = 0, skipped = 0;
    for (int i = 0; i < JUNIT_NCHECKS; i++) {
        failures += junit_failed(r, &junit_checks[i]) && (junit_checks[i].kind < 0 || r->compiled);
        skipped += junit_checks[i].kind >= 0 && !r->compiled;
    }
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
    fprintf(f, "<testsuites name=\"racedemo check\" tests=\"%d\" failures=\"%d\" errors=\"%d\" time=\"%.3f\">\n",
            JUNIT_NCHECKS, failures, r->internal_error ? 1 : 0, r->elapsed_s);
    fputs("  <testsuite name=\"", f);
    xml_str(f, sb_str(&who));
    fprintf(f, "\" tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"%d\" time=\"%.3f\">\n", JUNIT_NCHECKS,
            failures, r->internal_error ? 1 : 0, skipped, r->elapsed_s);
    for (int i = 0; i < JUNIT_NCHECKS; i++)
        junit_case(f, r, &junit_checks[i], sb_str(&who));
    if (r->internal_error) {
        fputs("    <testcase classname=\"racedemo\" name=\"racedemo\"><error message=\"", f);
        xml_str(f, r->internal_error);
        fputs("\"/></testcase>\n", f);
    }
    fputs("  </testsuite>\n</testsuites>\n", f);
    sb_free(&who);
}

/* ---- SARIF 2.1.0 ---------------------------------------------------------------------------------- */

static const char *const sarif_rule_desc[FK_NKINDS] = {
    "Two goroutines access the same memory concurrently and at least one access is a write.",
    "All goroutines are blocked: the program can never continue.",
    "The program died of a signal (invalid memory access, stack overflow, abort).",
    "A Go runtime error: a panic or a fatal error.",
    "The program exited with a non-zero status.",
    "Goroutines were still blocked when main returned.",
    "The program did not finish within the time limit.",
};

/* The "physicalLocation" member (no braces around it: callers add their own members). */
static void sarif_physical(FILE *f, const char *file, int line, int col)
{
    fputs("\"physicalLocation\": {\"artifactLocation\": {\"uri\": ", f);
    json_str(f, file);
    if (file[0] != '/')
        fputs(", \"uriBaseId\": \"%SRCROOT%\"", f);
    fprintf(f, "}, \"region\": {\"startLine\": %d", line > 0 ? line : 1);
    if (col > 0)
        fprintf(f, ", \"startColumn\": %d", col);
    fputs("}}", f);
}

static void sarif_location(FILE *f, const char *file, int line, int col)
{
    fputs("{", f);
    sarif_physical(f, file, line, col);
    fputs("}", f);
}

static void sarif_result(FILE *f, const check_result *r, const finding *x, bool *first)
{
    const frame *loc = rep_location(x), *rel = rep_related(x);
    char *sum = fmt_summary_str(x), *replay = vd_replay_cmd(r, x);
    strbuf text = {0};
    sb_printf(&text, "%s (in %d of %d %s, first at seed %llu; replay: %s)", sum, x->count, r->runs_done,
              fmt_runs(r->runs_done),
              (unsigned long long)x->first_seed, replay);
    fprintf(f, "%s        {\"ruleId\": ", *first ? "" : ",\n");
    *first = false;
    json_str(f, rep_kind_name(x->kind));
    fprintf(f, ", \"ruleIndex\": %d, \"level\": \"%s\", \"message\": {\"text\": ", (int)x->kind + 1,
            x->kind == FK_TIMEOUT ? "warning" : "error");
    json_str(f, sb_str(&text));
    fputs("},\n         \"locations\": [", f);
    sarif_location(f, loc ? loc->file : r->opts->files[0], loc ? loc->line : 1, 0);
    fputs("]", f);
    if (rel) {
        strbuf t = {0};
        fmt_title(&t, x->stacks[1].title);
        fputs(",\n         \"relatedLocations\": [", f);
        fputs("{\"id\": 1, \"message\": {\"text\": ", f);
        json_str(f, sb_str(&t));
        fputs("}, ", f);
        sarif_physical(f, rel->file, rel->line, 0);
        fputs("}]", f);
        sb_free(&t);
    }
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a of the dedupe key: stable across runs */
    for (const char *p = x->key; *p; p++)
        h = (h ^ (unsigned char)*p) * 0x100000001b3ull;
    fprintf(f, ",\n         \"partialFingerprints\": {\"racedemoKey/v1\": \"%016llx\"}",
            (unsigned long long)h);
    fprintf(f, ",\n         \"properties\": {\"firstSeed\": %llu, \"count\": %d, \"replay\": ",
            (unsigned long long)x->first_seed, x->count);
    json_str(f, replay);
    fputs("}}", f);
    sb_free(&text);
    free(sum);
    free(replay);
}

static void sarif_compile_results(FILE *f, const check_result *r, bool *first)
{
    diag d[16];
    int n = fmt_diags(sb_str(&r->compile_output), d, 16);
    for (int i = 0; i < n || (i == 0 && n == 0); i++) {
        fprintf(f, "%s        {\"ruleId\": \"compile-error\", \"ruleIndex\": 0, \"level\": \"error\", "
                   "\"message\": {\"text\": ", *first ? "" : ",\n");
        *first = false;
        json_str(f, n ? d[i].msg : sb_str(&r->compile_output));
        fputs("}, \"locations\": [", f);
        sarif_location(f, n ? d[i].file : r->opts->files[0], n ? d[i].line : 1, n ? d[i].col : 0);
        fputs("]}", f);
    }
}

static void sarif_write(FILE *f, const check_result *r)
{
    fputs("{\n  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n  \"version\": \"2.1.0\",\n"
          "  \"runs\": [{\n    \"tool\": {\"driver\": {\"name\": \"racedemo\", \"version\": ", f);
    json_str(f, RACEDEMO_CHECK_VERSION);
    fputs(", \"informationUri\": \"https://example.invalid/racedemo/docs/check.md\",\n      \"rules\": [\n"
          "        {\"id\": \"compile-error\", \"shortDescription\": {\"text\": \"Compile error\"}, "
          "\"fullDescription\": {\"text\": \"The submission does not compile or link.\"}}", f);
    for (int k = 0; k < FK_NKINDS; k++) {
        fputs(",\n        {\"id\": ", f);
        json_str(f, rep_kind_name((enum finding_kind)k));
        fputs(", \"shortDescription\": {\"text\": ", f);
        json_str(f, rep_kind_title((enum finding_kind)k));
        fputs("}, \"fullDescription\": {\"text\": ", f);
        json_str(f, sarif_rule_desc[k]);
        fputs("}}", f);
    }
    fputs("]}},\n    \"originalUriBaseIds\": {\"%SRCROOT%\": {\"uri\": \"./\"}},\n", f);
    fprintf(f, "    \"invocations\": [{\"executionSuccessful\": %s, \"exitCode\": %d}],\n",
            r->internal_error ? "false" : "true", vd_exit_code(r));
    fputs("    \"results\": [\n", f);
    bool first = true;
    if (!r->compiled && !r->internal_error)
        sarif_compile_results(f, r, &first);
    for (int i = 0; i < r->findings.n; i++)
        sarif_result(f, r, &r->findings.v[i], &first);
    fputs("\n    ]\n  }]\n}\n", f);
}

/* ---- GitHub Actions workflow commands ----------------------------------------------------------------- */

static void gh_escape(FILE *f, const char *s, bool property)
{
    for (; s && *s; s++) {
        if (*s == '%')
            fputs("%25", f);
        else if (*s == '\r')
            fputs("%0D", f);
        else if (*s == '\n')
            fputs("%0A", f);
        else if (property && *s == ':')
            fputs("%3A", f);
        else if (property && *s == ',')
            fputs("%2C", f);
        else
            fputc(*s, f);
    }
}

static void gh_line(FILE *f, const char *level, const char *file, int line, int col, const char *title,
                    const char *msg)
{
    fprintf(f, "::%s ", level);
    if (file) {
        fputs("file=", f);
        gh_escape(f, file, true);
        if (line > 0)
            fprintf(f, ",line=%d", line);
        if (col > 0)
            fprintf(f, ",col=%d", col);
        fputs(",", f);
    }
    fputs("title=", f);
    gh_escape(f, title, true);
    fputs("::", f);
    gh_escape(f, msg, false);
    fputs("\n", f);
}

static void github_write(FILE *f, const check_result *r)
{
    if (r->internal_error)
        gh_line(f, "error", NULL, 0, 0, "racedemo check", r->internal_error);
    if (!r->compiled && !r->internal_error) {
        diag d[16];
        int n = fmt_diags(sb_str(&r->compile_output), d, 16);
        for (int i = 0; i < n; i++)
            gh_line(f, "error", d[i].file, d[i].line, d[i].col, "racedemo: compile error", d[i].msg);
        if (!n)
            gh_line(f, "error", r->opts->files[0], 0, 0, "racedemo: compile error", sb_str(&r->compile_output));
    }
    for (int i = 0; i < r->findings.n; i++) {
        const finding *x = &r->findings.v[i];
        const frame *loc = rep_location(x);
        char *sum = fmt_summary_str(x), *replay = vd_replay_cmd(r, x);
        strbuf msg = {0}, title = {0};
        sb_printf(&msg, "%s\nin %d of %d %s, first at seed %llu\nreplay: %s", sum, x->count, r->runs_done,
                  fmt_runs(r->runs_done), (unsigned long long)x->first_seed, replay);
        sb_printf(&title, "racedemo: %s", rep_kind_title(x->kind));
        gh_line(f, x->kind == FK_TIMEOUT ? "warning" : "error", loc ? loc->file : r->opts->files[0],
                loc ? loc->line : 0, 0, sb_str(&title), sb_str(&msg));
        sb_free(&msg);
        sb_free(&title);
        free(sum);
        free(replay);
    }
    strbuf who = {0}, s = {0};
    fmt_files(&who, r->opts, " ");
    sb_printf(&s, "%s: %s (exit %d), %d %s, %d failed", sb_str(&who), vd_verdict(r), vd_exit_code(r),
              r->runs_done, fmt_runs(r->runs_done), r->runs_failed);
    gh_line(f, "notice", NULL, 0, 0, "racedemo check", sb_str(&s));
    sb_free(&who);
    sb_free(&s);
}

void fmt_write(FILE *f, const char *format, const check_result *r)
{
    if (!strcmp(format, "json"))
        json_write(f, r);
    else if (!strcmp(format, "junit"))
        junit_write(f, r);
    else if (!strcmp(format, "sarif"))
        sarif_write(f, r);
    else if (!strcmp(format, "github"))
        github_write(f, r);
    else
        text_write(f, r);
}
