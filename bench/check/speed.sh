#!/usr/bin/env bash
# How long `racedemo check` takes on a typical student program (bench/check/typical.c:
# 4 goroutines, ~10^5 instrumented accesses) for 100 schedules, compile included, and the
# runs alone (the compile is timed separately with --runs 1).  Not a test: prints numbers.
#   bash bench/check/speed.sh [build-dir] [runs]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../../build}" && pwd)
runs=${2:-100}
racedemo=$build/cli/racedemo
[ -x "$racedemo" ] || { echo "no $racedemo: build first" >&2; exit 1; }
cd "$here"
best() { sort -n | head -1; }
t100=$(for i in 1 2 3; do
  /usr/bin/time -f %e "$racedemo" check typical.c --runs "$runs" 2>&1 >/dev/null | tail -1
done | best)
t1=$(for i in 1 2 3; do
  /usr/bin/time -f %e "$racedemo" check typical.c --runs 1 2>&1 >/dev/null | tail -1
done | best)
echo "racedemo check, bench/check/typical.c, $(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg)"
echo "  $runs schedules, compile included: ${t100} s (best of 3)"
echo "  compile + 1 run:                ${t1} s"
awk -v a="$t100" -v b="$t1" -v n="$runs" 'BEGIN { printf "  per extra schedule:             %.1f ms\n", (a - b) * 1000 / (n - 1) }'
# CPU time (racedemo, the compiler and every run) does not depend on what else the
# machine is doing: on an idle machine the wall time approaches it divided by the CPUs
cpu=$(/usr/bin/time -f "%U %S" "$racedemo" check typical.c --runs "$runs" 2>&1 >/dev/null | tail -1)
echo "  CPU time, $runs schedules:         $(echo "$cpu" | awk '{ printf "%.2f s (user %.2f, sys %.2f)", $1 + $2, $1, $2 }')"
