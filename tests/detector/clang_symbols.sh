#!/bin/sh
# Race reports name the user's functions and lines in clang-built programs too, even
# without .debug_aranges (clang's default, as racecc users get it).
# usage: clang_symbols.sh RACECC SOURCE
set -u
racecc=$1 src=$2
command -v clang >/dev/null || { echo "clang not installed: skipped"; exit 0; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
CC=clang "$racecc" -o "$dir/prog" "$src" || exit 1
RACEDEMO_PROCS=1 "$dir/prog" >"$dir/out" 2>&1
st=$?
[ $st -eq 66 ] || { echo "exit status $st, want 66"; cat "$dir/out"; exit 1; }
grep -q '^  next()$' "$dir/out" && grep -q "race_next.c:1[12]" "$dir/out" || {
  echo "report stacks lack next() and its line:"; cat "$dir/out"; exit 1; }
echo "clang report symbolized: ok"
