#!/usr/bin/env bash
# After `make install` into a scratch prefix, racecc (found through racedemo.pc) builds a
# racy program that reports its race when run, without libtsan, and the installed
# racedemo checks it: both find the installed header and library via RACEDEMO_PREFIX.
set -euo pipefail
build=$1 corpus=$2
prefix=$(mktemp -d)
chmod 755 "$prefix"   # an install prefix is world-readable; the sandbox user compiles
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig:$prefix/lib/x86_64-linux-gnu/pkgconfig
export RACEDEMO_PREFIX=$prefix
racecc=$(pkg-config --define-variable=prefix="$prefix" --variable=racecc racedemo)
[ -x "$racecc" ] || { echo "racecc not installed at $racecc"; exit 1; }
"$racecc" -o "$prefix/racy" "$corpus/racy.c"
if ldd "$prefix/racy" | grep -q tsan; then echo "racecc linked libtsan"; exit 1; fi
set +e
RACEDEMO_SEED=1 "$prefix/racy" >/dev/null 2>"$prefix/err"
rc=$?
set -e
[ $rc -eq 66 ] || { echo "racy program exited $rc, want 66"; cat "$prefix/err"; exit 1; }
grep -q "WARNING: DATA RACE" "$prefix/err" || { echo "no race report"; exit 1; }
set +e
(cd "$corpus" && "$prefix/bin/racedemo" check racy.c --runs 5 --format json) >"$prefix/report.json"
rc=$?
set -e
[ $rc -eq 66 ] || { echo "installed racedemo check exited $rc, want 66"; cat "$prefix/report.json"; exit 1; }
grep -q '"verdict": "race"' "$prefix/report.json"
echo "install racecc test: ok"
