#!/usr/bin/env bash
# racedemo DEMO --json: one valid JSON document with the fields docs/json-schema.md
# promises, consistent with itself (counts add up to the runs, one detail per run).
# usage: json.sh RACEDEMO DEMO RUNS
set -u
rd=$1 demo=$2 runs=$3
doc=$(mktemp)
trap 'rm -f "$doc"' EXIT
if ! "$rd" "$demo" --json --runs "$runs" >"$doc"; then
  echo "FAIL: racedemo $demo --json exited non-zero"
  exit 1
fi
jq -e --arg demo "$demo" --argjson runs "$runs" '
  (.racedemo_version | type == "string") and
  .demo == $demo and
  (.section | type == "string") and (.description | length > 0) and
  .runs == $runs and .seed == 1 and .procs == 1 and .strategy == "random" and
  (.variants | length >= 1) and
  all(.variants[];
      (.name | type == "string") and
      (.role | IN("racy", "fix", "plain")) and
      (.source | test("^demos/[a-z_0-9]+\\.c$")) and
      .runs == $runs and
      (.runs_with_races | type == "number") and
      (.max_races_per_run | type == "number") and
      (.failed_runs | type == "number") and
      (.median_wall_ms | type == "number") and (.median_cpu_ms | type == "number") and
      ([.outcomes[].count] | add) == $runs and
      all(.outcomes[]; (.result | type == "string") and (.percent | type == "number") and
                       (.first_seed | type == "number") and
                       (.replay | startswith("racedemo " + $demo + " --variant "))) and
      (.first_race_report == null or (.first_race_report | contains("WARNING: DATA RACE"))) and
      ((.first_race_report == null) == (.runs_with_races == 0)) and
      (.run_details | length) == $runs and
      all(.run_details[]; (.seed | type == "number") and (.result | type == "string") and
                          (.races | type == "number") and (.steps | type == "number") and
                          (.timed_out | type == "boolean")))
' "$doc" >/dev/null || { echo "FAIL: racedemo $demo --json: schema check failed"; head -c 2000 "$doc"; exit 1; }
