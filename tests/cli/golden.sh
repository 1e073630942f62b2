#!/usr/bin/env bash
# Golden output of one demo at fixed seeds: the text report with --no-color, a fixed
# width and the C locale must equal tests/golden/NAME.txt byte for byte, on two runs in a
# row.  Masked: wall times, addresses and the checkout's path (see run() below).
# usage: golden.sh RACEDEMO GOLDEN_FILE [racedemo arguments...]
# RACEDEMO_UPDATE_GOLDEN=1 rewrites the golden file instead of comparing; GOLDEN_COLUMNS
# sets the width (default 100).
set -u
rd=$1 golden=$2
shift 2
a=$(mktemp) b=$(mktemp)
trap 'rm -f "$a" "$b"' EXIT
# what depends on the machine or the build, not on the schedule: the checkout's location
# (reports name files), addresses (the stack's depends on the environment's size), code
# offsets (+0x.., they move with the compiler and the library), and times
root=$(cd "$(dirname "$0")/../.." && pwd)
run() {
  env -u NO_COLOR COLUMNS="${GOLDEN_COLUMNS:-100}" LC_ALL=C LANG=C "$rd" "$@" --no-color |
    sed -E "s|$root/||g" |
    sed -E 's/0x[0-9a-f]{6,}/0x.../g; s/\+0x[0-9a-f]+/+0x.../g; s/(median wall time )[0-9]+ ms \(CPU time [0-9]+ ms\)/\1N ms (CPU time N ms)/; s/(over [a-z0-9]+: )[0-9.]+x/\1N.NNx/'
}
run "$@" >"$a" || { echo "FAIL: racedemo $* exited non-zero"; cat "$a"; exit 1; }
run "$@" >"$b" || { echo "FAIL: racedemo $* exited non-zero (second run)"; exit 1; }
if ! cmp -s "$a" "$b"; then
  echo "FAIL: racedemo $*: two runs differ"
  diff "$a" "$b" | head -40
  exit 1
fi
if [ "${RACEDEMO_UPDATE_GOLDEN:-0}" = 1 ]; then
  cp "$a" "$golden"
  echo "updated $golden"
  exit 0
fi
if ! cmp -s "$a" "$golden"; then
  echo "FAIL: racedemo $* differs from $golden (RACEDEMO_UPDATE_GOLDEN=1 ctest -R golden rewrites it)"
  diff "$golden" "$a" | head -60
  exit 1
fi
