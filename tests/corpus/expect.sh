#!/bin/sh
# expect.sh race|norace PROGRAM
#
# Runs one corpus program as an ordinary process (RACEDEMO_PROCS comes from the
# environment ctest sets) and checks the detector's verdict:
#   race    exit status 66, a "WARNING: DATA RACE" report, and an exit summary
#           "Found N data race(s)" that counts exactly the reports printed
#   norace  exit status 0 and no report at all
# The program's whole output is echoed so a failing ctest shows the report (or its absence).
set -u
expect=$1
prog=$2
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$prog" >"$out" 2>&1
status=$?
cat "$out"
races=$(grep -c "WARNING: DATA RACE" "$out")
found=$(sed -n 's/^Found \([0-9][0-9]*\) data race(s)$/\1/p' "$out")
echo "--- $(basename "$prog"): exit status $status, $races race report(s), procs=${RACEDEMO_PROCS:-1}"
case $expect in
race)
    if [ "$status" -ne 66 ] || [ "$races" -eq 0 ]; then
        echo "FAIL: expected a data race (exit status 66 and WARNING: DATA RACE)"
        exit 1
    fi
    if [ "$found" != "$races" ]; then
        echo "FAIL: the summary says 'Found ${found:-?} data race(s)' but $races were reported"
        exit 1
    fi ;;
norace)
    if [ "$status" -ne 0 ] || [ "$races" -ne 0 ]; then
        echo "FAIL: expected no data race and exit status 0"
        exit 1
    fi ;;
*)
    echo "usage: expect.sh race|norace PROGRAM"
    exit 2 ;;
esac
echo PASS
