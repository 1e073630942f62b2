#!/usr/bin/env bash
# What a learner must see from `racedemo next` with the default options: the racy
# variant ends with a=1, a=2 and a=3 across the schedules and every run reports the race;
# the fixes give a=3 in every run with no race.  Likewise atomic-sum loses updates only
# in its racy variant.
# usage: explore.sh RACEDEMO
set -u
rd=$1
doc=$(mktemp)
trap 'rm -f "$doc"' EXIT
fail=0
"$rd" next --json >"$doc" || exit 1
jq -e '.variants[] | select(.name == "racy") |
       ([.outcomes[].result] | sort) == ["a=1", "a=2", "a=3"] and .runs_with_races == .runs' "$doc" >/dev/null ||
  { echo "FAIL: racy next does not show a=1, a=2 and a=3 with a race in every run"; fail=1; }
jq -e '[.variants[] | select(.role == "fix") |
        (.outcomes | length) == 1 and .outcomes[0].result == "a=3" and .runs_with_races == 0] |
       length == 2 and all' "$doc" >/dev/null ||
  { echo "FAIL: a fix of next is not a=3 in every run without races"; fail=1; }
"$rd" atomic-sum --json --strategy pct >"$doc" || exit 1
jq -e '(.variants[] | select(.name == "racy") | [.outcomes[].result] | any(. != "s=5050")) and
       ([.variants[] | select(.role == "fix") | .outcomes == [.outcomes[0]] and .outcomes[0].result == "s=5050"
         and .runs_with_races == 0] | all)' "$doc" >/dev/null ||
  { echo "FAIL: atomic-sum under pct: the racy sum lost nothing, or a fix did"; fail=1; }
exit $fail
