#!/usr/bin/env bash
# Each run is isolated: a run that hangs (with a grandchild holding its pipes), one that
# crashes and one that floods its output are each reported for their seed, the batch goes
# on, and nothing they started is left running.  RACEDEMO_DEMO_BIN points the command at
# stand-in programs for the three variants of next.
# usage: isolation.sh RACEDEMO
set -u
rd=$1
dir=$(mktemp -d)
doc=$dir/out.json
marker=$((RANDOM + 424242))
trap 'pkill -f "sleep $marker" 2>/dev/null; rm -rf "$dir"' EXIT
printf '#!/bin/sh\nsleep %s &\necho a=1\nsleep %s\n' "$marker" "$marker" >"$dir/next_racy"
printf '#!/bin/sh\necho a=2\nkill -SEGV $$\n' >"$dir/next_atomic"
printf '#!/bin/sh\nexec yes flood\n' >"$dir/next_mutex"
chmod +x "$dir"/next_*
start=$(date +%s)
RACEDEMO_DEMO_BIN=$dir "$rd" next --runs 2 --timeout 1 --json >"$doc" || { echo "FAIL: racedemo exited non-zero"; exit 1; }
took=$(($(date +%s) - start))
fail=0
jq -e '[.variants[] | {(.name): [.outcomes[] | .result]}] | add as $r |
       $r.racy == ["a=1 -> timed out"] and
       $r.atomic == ["a=2 -> killed by signal 11 (Segmentation fault)"] and
       ($r.mutex | length == 1 and (.[0] | test("^flood, flood, .*\\.\\.\\. -> output limit exceeded$")))' \
  "$doc" >/dev/null ||
  { echo "FAIL: unexpected results:"; jq -c '[.variants[] | {(.name): [.outcomes[] | .result]}]' "$doc"; fail=1; }
jq -e '[.variants[].failed_runs] == [2, 2, 2] and
       ([.variants[0].run_details[].timed_out] == [true, true])' "$doc" >/dev/null ||
  { echo "FAIL: failed_runs / timed_out not recorded"; fail=1; }
[ "$took" -le 10 ] || { echo "FAIL: took ${took}s for runs limited to 1s"; fail=1; }
sleep 0.2
if pgrep -f "sleep $marker" >/dev/null; then
  echo "FAIL: a timed-out run's grandchild survived"
  fail=1
fi
exit $fail
