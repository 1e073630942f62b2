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
    # both stacks resolved to the program's own source lines
    n=$(printf '%s\n' "$out" | grep -c "$name\.c:[0-9]")
    if [ "$n" -lt 2 ] || ! printf '%s\n' "$out" | grep -q '^Previous \(read\|write\) at 0x[0-9a-f]* by '; then
        printf '%s\n' "$out"
        echo "report lacks the two access stacks"
        exit 1
    fi
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
