#!/bin/sh
# options.sh RACY_PROG: RACEDEMO_OPTIONS exitcode, log_path and halt_on_error work.
prog=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

RACEDEMO_OPTIONS="exitcode=7" "$prog" >/dev/null 2>&1
[ $? -eq 7 ] || fail "exitcode=7 not honoured"

RACEDEMO_OPTIONS="log_path=$dir/race,exitcode=9" "$prog" >"$dir/out" 2>"$dir/err"
[ $? -eq 9 ] || fail "exitcode with log_path"
grep -q 'DATA RACE' "$dir/err" && fail "report went to stderr despite log_path"
log=$(ls "$dir"/race.* 2>/dev/null | head -1)
[ -n "$log" ] || fail "no log_path file PATH.PID"
grep -q '^WARNING: DATA RACE$' "$log" || fail "log file lacks the report"
grep -q '^Found [0-9]* data race(s)$' "$log" || fail "log file lacks the summary"

out=$(RACEDEMO_OPTIONS="halt_on_error=1" "$prog" 2>&1)
st=$?
[ $st -eq 66 ] || fail "halt_on_error exit status $st"
[ "$(printf '%s\n' "$out" | grep -c '^WARNING: DATA RACE$')" -eq 1 ] || fail "halt_on_error printed more than one report"
printf '%s\n' "$out" | grep -q '^a = ' && fail "halt_on_error let the program finish"
exit 0
