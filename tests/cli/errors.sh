#!/usr/bin/env bash
# CLI usage errors: one line on stderr, nothing on stdout, exit status 2; and the
# informational commands (--help, --version, list, help DEMO) succeed.
# usage: errors.sh RACEDEMO
set -u
rd=$1
fail=0
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT

expect_usage_error() { # args...
  "$rd" "$@" >"$out" 2>"$err"
  local st=$?
  local lines; lines=$(wc -l <"$err")
  if [ $st -ne 2 ] || [ "$lines" -ne 1 ] || [ -s "$out" ] || ! grep -q '^racedemo: ' "$err"; then
    echo "FAIL: racedemo $*: status $st, $lines stderr line(s), stdout $(wc -c <"$out") bytes"
    cat "$err"
    fail=1
  fi
}

expect_ok() { # pattern args...
  local pat=$1; shift
  "$rd" "$@" >"$out" 2>"$err"
  local st=$?
  if [ $st -ne 0 ] || ! grep -q -- "$pat" "$out"; then
    echo "FAIL: racedemo $*: status $st, stdout lacks '$pat'"
    head -5 "$out" "$err"
    fail=1
  fi
}

expect_usage_error nosuchdemo
expect_usage_error --nosuchflag
expect_usage_error next --nosuchflag
expect_usage_error next --variant nosuch
expect_usage_error next --runs 0
expect_usage_error next --runs many
expect_usage_error next --seed -1
expect_usage_error next --strategy fifo
expect_usage_error next --procs
expect_usage_error next extra
expect_usage_error help nosuchdemo
expect_usage_error list extra

expect_ok '^racedemo [0-9]' --version
expect_ok '^usage: racedemo' --help
expect_ok '^usage: racedemo' help
expect_ok '^racedemo next: Race conditions' help next
expect_ok '^racedemo next: Race conditions' next --help
expect_ok '^usage: racedemo list' list --help
expect_ok '^next ' list

# list: every demo, one line each, in the tutorial's order
"$rd" list | awk '{print $1}' | tr '\n' ' ' >"$out"
want="hello sum next atomic-sum order count channel pool parallel "
if [ "$(cat "$out")" != "$want" ]; then
  echo "FAIL: list order: $(cat "$out")"
  fail=1
fi

# no arguments: usage on stderr, status 2
"$rd" >"$out" 2>"$err"
if [ $? -ne 2 ] || ! grep -q '^usage:' "$err"; then
  echo "FAIL: racedemo without arguments"
  fail=1
fi
exit $fail
