#!/usr/bin/env bash
# Every outcome's replay command (racedemo DEMO --variant V --seed S) must reproduce that
# outcome exactly: same result, same number of races.
# usage: replay.sh RACEDEMO DEMO [racedemo arguments...]
set -u
rd=$1 demo=$2
shift 2
doc=$(mktemp) one=$(mktemp)
trap 'rm -f "$doc" "$one"' EXIT
"$rd" "$demo" --json "$@" >"$doc" || { echo "FAIL: racedemo $demo --json $*"; exit 1; }
fail=0 n=0
while IFS=$'\t' read -r replay result races; do
  n=$((n + 1))
  # shellcheck disable=SC2086
  "$rd" ${replay#racedemo } --json >"$one" || { echo "FAIL: $replay exited non-zero"; fail=1; continue; }
  got=$(jq -r '.variants[0].run_details[0] | "\(.result)\t\(.races)"' "$one")
  jq -e '.variants[0].run_details[0] | (.stderr | type == "string") and (.stdout | type == "string")' "$one" \
    >/dev/null || { echo "FAIL: $replay --json: no stdout/stderr in the replayed run"; fail=1; }
  if [ "$got" != "$result"$'\t'"$races" ]; then
    echo "FAIL: $replay gave '$got', the batch run gave '$result	$races'"
    fail=1
  fi
  # and the text replay shows the same program output, byte for byte, twice
  a=$("$rd" ${replay#racedemo } --no-color) b=$("$rd" ${replay#racedemo } --no-color)
  [ "$a" = "$b" ] || { echo "FAIL: $replay: two text replays differ"; fail=1; }
done < <(jq -r '.variants[] as $v | $v.outcomes[] | . as $o |
                ($v.run_details[] | select(.seed == $o.first_seed)) as $r |
                "\($o.replay)\t\($o.result)\t\($r.races)"' "$doc")
[ $n -gt 0 ] || { echo "FAIL: no outcomes to replay"; fail=1; }
exit $fail
