/*
 * check_report.c - what one run found: the detector's race reports, the runtime's fatal
 * messages (Go's wording), the wait status, the timeout.  Parsing only; no I/O.
 *
 * Inputs, in the formats the detector and runtime print (Go's):
 *   ==================
 *   WARNING: DATA RACE
 *   Write at 0x7f12... by goroutine 7:        <- a stack title: a line ending in ':'
 *     next()                                  <- a function line
 *         prog.c:12 +0x44                     <- its location (tab or spaces)
 *
 *   Previous read at 0x7f12... by goroutine 6:
 *     ...
 *   Goroutine 7 (running) created at:
 *     ...
 *   ==================
 * the same shape for "WARNING: LOCK ORDER INVERSION" (a potential deadlock, reported with
 * the deadlocks), and "panic: msg" / "fatal error: msg" followed by optional "[signal SIGSEGV: ...]" and
 * "goroutine N [state]:" stacks.  Anything else (the program's own output) is ignored.
 *
 * Dedupe keys leave out what changes from one schedule to the next (addresses, goroutine
 * ids) and keep what identifies the bug: for a race, the two accesses' kinds and stacks,
 * as an unordered pair; for the rest, the message and the failing goroutine's top frame.
 */
#define _GNU_SOURCE
#include "check_impl.h"

#include <ctype.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#define REP_MAX_REPORT 16384
#define REP_MAX_FRAMES 64
#define REP_LEAK_MARK "racedemo: goroutine leak:" /* runtime/leak.c, RACEDEMO_LEAKCHECK=1 */
#define REP_RACE_MARK "WARNING: DATA RACE"
#define REP_LOCK_MARK "WARNING: LOCK ORDER INVERSION" /* detector/lockorder.c */

static const char *const rep_names[FK_NKINDS] = {
    "race", "deadlock", "crash", "runtime-error", "exit-status", "leak", "timeout"};
static const char *const rep_titles[FK_NKINDS] = {
    "Data race", "Deadlock", "Crash", "Runtime error", "Non-zero exit status",
    "Goroutine leak", "Timeout"};

const char *rep_kind_name(enum finding_kind k) { return rep_names[k]; }
const char *rep_kind_title(enum finding_kind k) { return rep_titles[k]; }

/* ---- lines ---------------------------------------------------------------------------- */

typedef struct lines {
    char **v;
    int n;
} lines;

static void lines_split(const char *text, lines *out)
{
    int cap = 16;
    out->v = check_alloc((size_t)cap * sizeof *out->v);
    out->n = 0;
    while (text && *text) {
        const char *nl = strchr(text, '\n');
        size_t len = nl ? (size_t)(nl - text) : strlen(text);
        if (out->n == cap)
            out->v = check_realloc(out->v, (size_t)(cap *= 2) * sizeof *out->v);
        char *l = check_alloc(len + 1);
        memcpy(l, text, len);
        if (len && l[len - 1] == '\r')
            l[len - 1] = 0;
        out->v[out->n++] = l;
        text = nl ? nl + 1 : text + len;
    }
}

static void lines_free(lines *l)
{
    for (int i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
}

static const char *skip_ws(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

static bool starts(const char *s, const char *p) { return strncmp(s, p, strlen(p)) == 0; }

/* "file:line" or "file:line +0x1f": fills file/line.  Tolerates a trailing column. */
static bool parse_location(const char *s, char **file, int *line)
{
    s = skip_ws(s);
    const char *end = strstr(s, " +0x");
    size_t len = end ? (size_t)(end - s) : strlen(s);
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    const char *colon = NULL;
    for (size_t i = 0; i < len; i++)
        if (s[i] == ':' && i + 1 < len && isdigit((unsigned char)s[i + 1]))
            colon = s + i;
    if (!colon || colon == s)
        return false;
    for (const char *p = colon + 1; p < s + len; p++)
        if (!isdigit((unsigned char)*p) && *p != ':')
            return false;
    *file = strndup(s, (size_t)(colon - s));
    *line = atoi(colon + 1);
    return *file != NULL;
}

/* ---- stacks ---------------------------------------------------------------------------- */

static void stack_add_frame(stack *st, const char *func)
{
    if (st->nframes >= REP_MAX_FRAMES)
        return;
    st->frames = check_realloc(st->frames, (size_t)(st->nframes + 1) * sizeof *st->frames);
    st->frames[st->nframes++] = (frame){.func = check_strdup(func)};
}

/* Parse frames from lines[*i] on, until a blank line or a line that is no frame.  A
 * function line is "func(...)" (indented in race reports, not in goroutine dumps); the
 * indented location line after it holds file:line. */
static void parse_frames(lines *L, int *i, stack *st)
{
    while (*i < L->n) {
        const char *l = L->v[*i], *t = skip_ws(l);
        size_t len = strlen(t);
        bool indented = l[0] == ' ' || l[0] == '\t';
        if (!len || (!indented && t[len - 1] == ':'))
            return;
        char *file;
        int line;
        if (indented && st->nframes && !st->frames[st->nframes - 1].file &&
            parse_location(l, &file, &line)) {
            st->frames[st->nframes - 1].file = file;
            st->frames[st->nframes - 1].line = line;
        } else if (strchr(t, '(') && !strchr(t, '=')) {
            stack_add_frame(st, t);
        } else {
            return;
        }
        (*i)++;
    }
}

static void finding_add_stack(finding *f, const char *title)
{
    f->stacks = check_realloc(f->stacks, (size_t)(f->nstacks + 1) * sizeof *f->stacks);
    f->stacks[f->nstacks++] = (stack){.title = check_strdup(title)};
}

/* "Previous write at 0x.. by goroutine 6:" -> "write" (the access kind for keys). */
static void access_kind(const char *title, strbuf *b)
{
    const char *t = title;
    if (starts(t, "Previous "))
        t += 9;
    const char *at = strstr(t, " at ");
    size_t n = at ? (size_t)(at - t) : strlen(t);
    for (size_t k = 0; k < n; k++)
        sb_add(b, &(char){(char)tolower((unsigned char)t[k])}, 1);
}

static void stack_key(const stack *st, strbuf *b)
{
    for (int k = 0; k < st->nframes; k++)
        sb_printf(b, "%s@%s:%d;", st->frames[k].func, st->frames[k].file ? st->frames[k].file : "?",
                  st->frames[k].line);
}

static char *race_key(const finding *f)
{
    strbuf a = {0}, b = {0}, k = {0};
    if (f->nstacks > 0) {
        access_kind(f->stacks[0].title, &a);
        sb_puts(&a, "|");
        stack_key(&f->stacks[0], &a);
    }
    if (f->nstacks > 1) {
        access_kind(f->stacks[1].title, &b);
        sb_puts(&b, "|");
        stack_key(&f->stacks[1], &b);
    }
    bool swap = strcmp(sb_str(&a), sb_str(&b)) > 0;
    sb_printf(&k, "race\n%s\n%s", swap ? sb_str(&b) : sb_str(&a), swap ? sb_str(&a) : sb_str(&b));
    sb_free(&a);
    sb_free(&b);
    return sb_take(&k);
}

/* ---- blocks ------------------------------------------------------------------------------ */

static bool is_rule(const char *l) { return starts(l, "=================="); }

static void raw_append(strbuf *raw, const char *l)
{
    if (raw->len < REP_MAX_REPORT) {
        sb_puts(raw, l);
        sb_puts(raw, "\n");
    }
}

/* A lock-order cycle is the same bug whichever of its edges closed it in a run: the key is
 * the sorted stacks of the acquisitions ("Mutex ... acquired by ...:"). */
static int strp_cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static char *lock_cycle_key(const finding *f)
{
    char *keys[REP_MAX_FRAMES];
    int n = 0;
    for (int k = 0; k < f->nstacks && n < REP_MAX_FRAMES; k++) {
        if (!strstr(f->stacks[k].title, " acquired by "))
            continue;
        strbuf b = {0};
        stack_key(&f->stacks[k], &b);
        keys[n++] = sb_take(&b);
    }
    qsort(keys, (size_t)n, sizeof *keys, strp_cmp);
    strbuf k = {0};
    sb_puts(&k, "lock-order");
    for (int j = 0; j < n; j++) {
        sb_printf(&k, "\n%s", keys[j]);
        free(keys[j]);
    }
    return sb_take(&k);
}

/* lines[*i] is "WARNING: DATA RACE" or "WARNING: LOCK ORDER INVERSION" (a potential
 * deadlock, reported with the deadlocks).  Consumes through the closing rule. */
static void parse_warning(lines *L, int *i, finding *f)
{
    strbuf raw = {0};
    bool race = starts(L->v[*i], REP_RACE_MARK);
    raw_append(&raw, L->v[(*i)++]);
    f->kind = race ? FK_RACE : FK_DEADLOCK;
    f->message = check_strdup(race ? "data race" : "lock-order inversion (potential deadlock)");
    while (*i < L->n && !is_rule(L->v[*i]) && !starts(L->v[*i], "WARNING: ")) {
        const char *l = L->v[*i];
        int from = *i;
        size_t len = strlen(l);
        if (len && l[0] != ' ' && l[0] != '\t' && l[len - 1] == ':') {
            char *title = strndup(l, len - 1);
            finding_add_stack(f, title ? title : "");
            free(title);
            (*i)++;
            parse_frames(L, i, &f->stacks[f->nstacks - 1]);
        } else {
            (*i)++;
        }
        for (int k = from; k < *i; k++)
            raw_append(&raw, L->v[k]);
    }
    if (*i < L->n && is_rule(L->v[*i]))
        (*i)++;
    f->report = sb_take(&raw);
    f->key = race ? race_key(f) : lock_cycle_key(f);
}

static bool is_signal_line(const char *l)
{
    return starts(l, "[signal SIG") || starts(l, "fatal error: unexpected signal") ||
           starts(l, "fatal error: stack overflow") || starts(l, "unexpected fault address") ||
           (starts(l, "SIG") && strstr(l, ": "));
}

/* lines[*i] starts "panic: " or "fatal error: ": the process's last words. */
static void parse_fatal(lines *L, int *i, finding *f)
{
    strbuf raw = {0}, msg = {0};
    const char *first = L->v[*i];
    sb_puts(&msg, first);
    f->kind = starts(first, REP_LEAK_MARK) ? FK_LEAK
              : strstr(first, "deadlock")   ? FK_DEADLOCK
                                            : FK_RUNTIME;
    for (; *i < L->n && !starts(L->v[*i], REP_RACE_MARK) && !starts(L->v[*i], REP_LOCK_MARK);) {
        const char *l = L->v[*i];
        raw_append(&raw, l);
        if (f->kind == FK_RUNTIME && is_signal_line(l)) {
            f->kind = FK_CRASH;
            if (l != first) {
                sb_puts(&msg, " ");
                sb_puts(&msg, l);
            }
        }
        size_t len = strlen(l);
        (*i)++;
        if (starts(l, "goroutine ") && len && l[len - 1] == ':') {
            char *title = strndup(l, len - 1);
            finding_add_stack(f, title ? title : "");
            free(title);
            int from = *i;
            parse_frames(L, i, &f->stacks[f->nstacks - 1]);
            for (int k = from; k < *i; k++)
                raw_append(&raw, L->v[k]);
        }
    }
    f->message = sb_take(&msg);
    f->report = sb_take(&raw);
}

static bool is_fatal_start(const char *l)
{
    return starts(l, "panic: ") || starts(l, REP_LEAK_MARK) || starts(l, "fatal error: ") ||
           starts(l, "runtime: goroutine stack exceeds") || is_signal_line(l);
}

/* ---- a run ---------------------------------------------------------------------------------- */

static bool list_has(const finding_list *l, const char *key)
{
    for (int k = 0; k < l->n; k++)
        if (!strcmp(l->v[k].key, key))
            return true;
    return false;
}

/* Messages carry addresses (ASLR) and counts that change from run to run: in keys every
 * number becomes '#', so "fault address 0x7f12.." is one finding, not one per run. */
static void key_normalise(strbuf *k, const char *msg)
{
    for (const char *p = msg; *p;) {
        if (isdigit((unsigned char)*p)) {
            sb_puts(k, "#");
            if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
                p += 2;
            while (isxdigit((unsigned char)*p))
                p++;
        } else {
            sb_add(k, p++, 1);
        }
    }
}

static void add_unique(finding_list *out, finding *f, uint64_t seed)
{
    f->first_seed = seed;
    f->count = 1;
    if (!f->key) {
        strbuf k = {0};
        const frame *loc = rep_location(f);
        sb_printf(&k, "%s\n", rep_kind_name(f->kind));
        key_normalise(&k, f->message ? f->message : "");
        sb_printf(&k, "\n%s:%d", loc ? loc->file : "", loc ? loc->line : 0);
        f->key = sb_take(&k);
    }
    if (list_has(out, f->key)) {
        finding_free(f);
        return;
    }
    finding_list_push(out, f);
}

static bool parse_text(const char *text, uint64_t seed, finding_list *out, bool races_only)
{
    lines L;
    bool fatal = false;
    lines_split(text, &L);
    for (int i = 0; i < L.n;) {
        finding f = {0};
        if (starts(L.v[i], REP_RACE_MARK) || starts(L.v[i], REP_LOCK_MARK)) {
            parse_warning(&L, &i, &f);
            add_unique(out, &f, seed);
        } else if (!races_only && !fatal && is_fatal_start(L.v[i])) {
            parse_fatal(&L, &i, &f);
            fatal = f.kind != FK_LEAK; /* a leak report is printed at a normal exit */
            add_unique(out, &f, seed);
        } else {
            i++;
        }
    }
    lines_free(&L);
    return fatal;
}

static void add_simple(finding_list *out, enum finding_kind k, const char *msg, uint64_t seed)
{
    finding f = {.kind = k, .message = check_strdup(msg), .report = check_strdup(msg)};
    add_unique(out, &f, seed);
}

static int count_kind(const finding_list *l, enum finding_kind k)
{
    int n = 0;
    for (int i = 0; i < l->n; i++)
        n += l->v[i].kind == k;
    return n;
}

/* What the wait status says that the text did not. */
static void parse_status(const sbx_result *res, double cpu_limit, bool fatal, uint64_t seed,
                         finding_list *out)
{
    char msg[160];
    int st = res->status;
    if (res->mem_exceeded) {
        snprintf(msg, sizeof msg, "killed: memory limit exceeded (%ld MB resident)", res->peak_rss_mb);
        add_simple(out, FK_CRASH, msg, seed);
    } else if (res->timed_out) {
        snprintf(msg, sizeof msg, "timed out after %g s (wall clock)", res->limit_s);
        add_simple(out, FK_TIMEOUT, msg, seed);
    } else if (WIFSIGNALED(st) && (WTERMSIG(st) == SIGXCPU ||
                                   (WTERMSIG(st) == SIGKILL && res->cpu_s >= cpu_limit - 0.05))) {
        snprintf(msg, sizeof msg, "killed at the CPU time limit (%g s of CPU)", cpu_limit);
        add_simple(out, FK_TIMEOUT, msg, seed);
    } else if (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL && !fatal) {
        add_simple(out, FK_CRASH, "killed by SIGKILL (out of memory?)", seed);
    } else if (WIFSIGNALED(st) && !fatal) {
        snprintf(msg, sizeof msg, "signal SIG%s: %s", sigabbrev_np(WTERMSIG(st)) ? sigabbrev_np(WTERMSIG(st)) : "?",
                 strsignal(WTERMSIG(st)));
        add_simple(out, FK_CRASH, msg, seed);
    } else if (WIFEXITED(st) && WEXITSTATUS(st) != 0 && !fatal) {
        int code = WEXITSTATUS(st);
        if (code == 66 && (count_kind(out, FK_RACE) || count_kind(out, FK_DEADLOCK)))
            return;
        if (code == 66)
            snprintf(msg, sizeof msg, "exit status 66 (the race status) but no race report was found");
        else
            snprintf(msg, sizeof msg, "exit status %d", code);
        add_simple(out, FK_EXIT, msg, seed);
    }
}

void rep_parse_run(const char *err, const char *log, const sbx_result *res, double cpu_limit,
                   uint64_t seed, finding_list *out)
{
    if (res->start_failed) {
        add_simple(out, FK_EXIT, err && *err ? err : "the program could not be started", seed);
        return;
    }
    bool fatal = false;
    if (log && *log)
        fatal |= parse_text(log, seed, out, false);
    fatal |= parse_text(err, seed, out, fatal);
    parse_status(res, cpu_limit, fatal, seed, out);
}

/* ---- accessors and ownership ------------------------------------------------------------------ */

/* The runtime operations a race stack may start with: an operation that is itself an
 * access (the race_op_access calls of runtime/chan.c and sync.c), or a libc function the
 * detector checks (its wrapper lives in detector/intercept*.c).  Their frame says what the
 * access was, but the place to point at is the user's call below it. */
bool rep_is_op_frame(const frame *fr)
{
    static const char *const ops[] = {"chan_send()",  "chan_close()",    "chan_free()",
                                      "chan_select()", "wg_add()",        "wg_wait()",
                                      "mutex_lock()",  "mutex_trylock()", "rwmutex_lock()",
                                      "rwmutex_trylock()"};
    if (fr && fr->file && (strstr(fr->file, "detector/intercept") || strstr(fr->file, "runtime/pthread.c")))
        return true;
    for (size_t i = 0; fr && fr->func && i < sizeof ops / sizeof *ops; i++)
        if (!strcmp(fr->func, ops[i]))
            return true;
    return false;
}

static const frame *first_located(const stack *st)
{
    for (int k = 0; k < st->nframes; k++)
        if (st->frames[k].file && st->frames[k].line > 0 &&
            !(k == 0 && rep_is_op_frame(&st->frames[k])))
            return &st->frames[k];
    return NULL;
}

const frame *rep_location(const finding *f)
{
    for (int s = 0; s < f->nstacks; s++) {
        const frame *fr = first_located(&f->stacks[s]);
        if (fr)
            return fr;
        if (f->kind == FK_RACE)
            return NULL; /* the access itself has no location: do not borrow another's */
    }
    return NULL;
}

const frame *rep_related(const finding *f)
{
    return f->kind == FK_RACE && f->nstacks > 1 ? first_located(&f->stacks[1]) : NULL;
}

void finding_free(finding *f)
{
    for (int s = 0; s < f->nstacks; s++) {
        for (int k = 0; k < f->stacks[s].nframes; k++) {
            free(f->stacks[s].frames[k].func);
            free(f->stacks[s].frames[k].file);
        }
        free(f->stacks[s].frames);
        free(f->stacks[s].title);
    }
    free(f->stacks);
    free(f->message);
    free(f->key);
    free(f->report);
    memset(f, 0, sizeof *f);
}

void finding_list_push(finding_list *l, finding *f)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 8;
        l->v = check_realloc(l->v, (size_t)l->cap * sizeof *l->v);
    }
    l->v[l->n++] = *f;
    memset(f, 0, sizeof *f);
}

void finding_list_free(finding_list *l)
{
    for (int k = 0; k < l->n; k++)
        finding_free(&l->v[k]);
    free(l->v);
    memset(l, 0, sizeof *l);
}
