/*
 * check_verdict.c - from the findings of every run to one answer: distinct findings
 * (deduplicated by key, each with the lowest seed that shows it, so the answer does not
 * depend on which parallel run finished first), the verdict and the exit code.
 *
 * Exit-code precedence, most important first: internal error, compile error, race,
 * deadlock/crash/runtime error/non-zero exit/leak, timeout, clean.  A race checker
 * reports races first: a program that races in one schedule and hangs in another is racy.
 */
#include "check_impl.h"

#include <stdlib.h>
#include <string.h>

static void vd_adopt(finding *dst, finding *src)
{
    /* keep the counts, take the lower seed's stacks and report so replay matches them */
    int count = dst->count;
    finding_free(dst);
    *dst = *src;
    dst->count = count;
    memset(src, 0, sizeof *src);
}

void vd_merge(check_result *r, finding_list *run)
{
    for (int i = 0; i < run->n; i++) {
        finding *f = &run->v[i];
        finding *old = NULL;
        for (int k = 0; k < r->findings.n && !old; k++)
            if (!strcmp(r->findings.v[k].key, f->key))
                old = &r->findings.v[k];
        if (!old) {
            finding_list_push(&r->findings, f);
            continue;
        }
        old->count += f->count;
        if (f->first_seed < old->first_seed)
            vd_adopt(old, f);
    }
    finding_list_free(run);
}

static int vd_cmp(const void *a, const void *b)
{
    const finding *x = a, *y = b;
    if (x->kind != y->kind)
        return (int)x->kind - (int)y->kind;
    if (x->first_seed != y->first_seed)
        return x->first_seed < y->first_seed ? -1 : 1;
    return strcmp(x->key, y->key);
}

void vd_finish(check_result *r)
{
    if (r->findings.n > 1)
        qsort(r->findings.v, (size_t)r->findings.n, sizeof *r->findings.v, vd_cmp);
}

int vd_count(const check_result *r, enum finding_kind k)
{
    int n = 0;
    for (int i = 0; i < r->findings.n; i++)
        n += r->findings.v[i].kind == k;
    return n;
}

static bool vd_any_failure(const check_result *r)
{
    return vd_count(r, FK_DEADLOCK) || vd_count(r, FK_CRASH) || vd_count(r, FK_RUNTIME) ||
           vd_count(r, FK_EXIT) || vd_count(r, FK_LEAK);
}

int vd_exit_code(const check_result *r)
{
    if (r->internal_error)
        return CHECK_EXIT_INTERNAL;
    if (!r->compiled)
        return CHECK_EXIT_COMPILE;
    if (vd_count(r, FK_RACE))
        return CHECK_EXIT_RACE;
    if (vd_any_failure(r))
        return CHECK_EXIT_FAIL;
    if (vd_count(r, FK_TIMEOUT))
        return CHECK_EXIT_TIMEOUT;
    return CHECK_EXIT_CLEAN;
}

const char *vd_verdict(const check_result *r)
{
    if (r->internal_error)
        return "internal-error";
    if (!r->compiled)
        return "compile-error";
    static const enum finding_kind order[] = {FK_RACE, FK_DEADLOCK, FK_CRASH, FK_RUNTIME,
                                              FK_EXIT, FK_LEAK, FK_TIMEOUT};
    for (size_t i = 0; i < sizeof order / sizeof *order; i++)
        if (vd_count(r, order[i]))
            return rep_kind_name(order[i]);
    return "clean";
}

char *vd_replay_cmd(const check_result *r, const finding *f)
{
    const check_opts *o = r->opts;
    strbuf b = {0};
    sb_puts(&b, "racedemo check");
    for (int i = 0; i < o->nfiles; i++) {
        sb_puts(&b, " ");
        tc_shquote(&b, o->files[i]);
    }
    sb_printf(&b, " --runs 1 --seed %llu --procs %d", (unsigned long long)f->first_seed, o->procs);
    if (o->strategy) {
        sb_puts(&b, " --strategy ");
        tc_shquote(&b, o->strategy);
    }
    if (o->cc) {
        sb_puts(&b, " --cc ");
        tc_shquote(&b, o->cc);
    }
    sb_printf(&b, " --timeout %g", o->timeout_s);
    if (o->mem_mb > 0) /* a memory-limit crash must replay as one */
        sb_printf(&b, " --mem %ld", o->mem_mb);
    if (o->nprog_args) {
        sb_puts(&b, " --");
        for (int i = 0; i < o->nprog_args; i++) {
            sb_puts(&b, " ");
            tc_shquote(&b, o->prog_args[i]);
        }
    }
    return sb_take(&b);
}

void vd_result_free(check_result *r)
{
    free(r->compile_cmd);
    sb_free(&r->compile_output);
    finding_list_free(&r->findings);
    free(r->sample_output);
    free(r->internal_error);
    memset(r, 0, sizeof *r);
}
