#!/bin/sh
# expect.sh NAME PROG: run PROG; race_* must report a race and exit 66, norace_* must not.
name=$1 prog=$2
out=$("$prog" 2>&1)
st=$?
case $name in
race_*)
    if [ $st -ne 66 ] || ! printf '%s\n' "$out" | grep -q '^WARNING: DATA RACE$'; then
        printf '%s\n' "$out"
        echo "expected a race report and exit status 66, got status $st"
        exit 1
    fi
    printf '%s\n' "$out" | grep -q '^Found [0-9]* data race(s)$' || { printf '%s\n' "$out"; echo "no summary line"; exit 1; }
    ;;
*)
    if [ $st -ne 0 ] || printf '%s\n' "$out" | grep -q 'DATA RACE'; then
        printf '%s\n' "$out"
        echo "expected no race and exit status 0, got status $st"
        exit 1
    fi
    ;;
esac
exit 0
