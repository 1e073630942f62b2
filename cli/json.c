/*
 * json.c - the same facts as the text report, as one JSON document on stdout (schema:
 * docs/json-schema.md).  Wall times are the only fields that differ between two runs
 * with the same options.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

static void json_str(const char *s)
{
    putchar('"');
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", stdout); break;
        case '\\': fputs("\\\\", stdout); break;
        case '\n': fputs("\\n", stdout); break;
        case '\t': fputs("\\t", stdout); break;
        case '\r': fputs("\\r", stdout); break;
        default:
            if (*p < 0x20)
                printf("\\u%04x", *p);
            else
                putchar(*p);
        }
    }
    putchar('"');
}

static const char *json_role(enum cli_role r)
{
    return r == ROLE_RACY ? "racy" : r == ROLE_FIX ? "fix" : "plain";
}

/* One run; with its full output when the report replays single schedules (--seed
 * without --runs), as the text replay shows it. */
static void json_run(const cli_run *r, bool with_output)
{
    char *label = cli_run_label(r);
    printf("{\"seed\": %llu, \"result\": ", (unsigned long long)r->seed);
    json_str(label);
    printf(", \"races\": %d, ", cli_run_races(r));
    if (r->timed_out)
        printf("\"exit_status\": null, \"signal\": null, \"timed_out\": true");
    else if (WIFSIGNALED(r->status))
        printf("\"exit_status\": null, \"signal\": %d, \"timed_out\": false", WTERMSIG(r->status));
    else
        printf("\"exit_status\": %d, \"signal\": null, \"timed_out\": false", WEXITSTATUS(r->status));
    printf(", \"steps\": %llu, \"wall_ms\": %.3f, \"cpu_ms\": %.3f", (unsigned long long)r->steps,
           r->wall_s * 1000, r->cpu_s * 1000);
    if (with_output) {
        printf(", \"stdout\": ");
        json_str(r->out);
        printf(", \"stderr\": ");
        json_str(r->err);
    }
    printf("}");
    free(label);
}

static void json_variant(const cli_results *res, const cli_variant_result *vr)
{
    printf("    {\"name\": ");
    json_str(vr->variant->name);
    printf(", \"role\": \"%s\", \"summary\": ", json_role(vr->variant->role));
    json_str(vr->variant->summary);
    printf(", \"source\": \"demos/%s.c\",\n", vr->variant->program);
    printf("     \"runs\": %d, \"runs_with_races\": %d, \"max_races_per_run\": %d, \"failed_runs\": %d,\n",
           vr->nruns, vr->runs_with_race, vr->max_races, vr->failures);
    if (vr->pct_steps)
        printf("     \"pct_steps\": %llu,\n", (unsigned long long)vr->pct_steps);
    printf("     \"median_wall_ms\": %.3f, \"median_cpu_ms\": %.3f,\n", vr->wall_median_s * 1000,
           vr->cpu_median_s * 1000);
    printf("     \"outcomes\": [");
    for (int k = 0; k < vr->noutcomes; k++) {
        const cli_outcome *o = &vr->outcomes[k];
        char cmd[512];
        cli_replay_command(cmd, sizeof cmd, res, vr, o->first_seed);
        printf("%s\n       {\"result\": ", k ? "," : "");
        json_str(o->label);
        printf(", \"count\": %d, \"percent\": %.1f, \"first_seed\": %llu, \"replay\": ", o->count,
               100.0 * o->count / vr->nruns, (unsigned long long)o->first_seed);
        json_str(cmd);
        printf("}");
    }
    printf("],\n     \"first_race_report\": ");
    if (vr->first_race) {
        json_str(vr->first_race);
        printf(", \"first_race_seed\": %llu", (unsigned long long)vr->first_race_seed);
    } else {
        printf("null, \"first_race_seed\": null");
    }
    printf(",\n     \"run_details\": [");
    for (int i = 0; i < vr->nruns; i++) {
        printf("%s\n       ", i ? "," : "");
        json_run(&vr->runs[i], res->opts->seed_given && !res->opts->runs_given);
    }
    printf("]}");
}

void cli_json_report(const cli_results *res)
{
    const cli_opts *o = res->opts;
    printf("{\n  \"racedemo_version\": \"%s\",\n  \"demo\": ", RACEDEMO_CLI_VERSION);
    json_str(res->demo->name);
    printf(",\n  \"section\": ");
    json_str(res->demo->section);
    printf(",\n  \"description\": ");
    json_str(res->demo->what);
    printf(",\n  \"runs\": %d, \"seed\": %llu, \"procs\": %d, \"strategy\": ", o->runs, (unsigned long long)o->seed,
           o->procs);
    json_str(o->strategy);
    if (!strcmp(o->strategy, "pct"))
        printf(", \"pct_depth\": %d", o->pct_depth);
    printf(",\n  \"variants\": [\n");
    for (int i = 0; i < res->nvariants; i++) {
        json_variant(res, &res->v[i]);
        printf("%s\n", i + 1 < res->nvariants ? "," : "");
    }
    printf("  ]\n}\n");
}
