#!/bin/sh
# expect.sh NAME PROG [SRC]: run PROG; race_* must report a race and exit 66, norace_*
# must not.  Each "expect-after: A => B" line in SRC asks for an output line matching A
# (extended regex) followed directly by one matching B.
name=$1 prog=$2 src=${3:-}
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
    if [ -n "$src" ]; then
        grep 'expect-after: ' "$src" | sed 's/.*expect-after: //' | while IFS= read -r rule; do
            a=${rule%% => *} b=${rule#* => }
            printf '%s\n' "$out" | awk -v a="$a" -v b="$b" 'prev && $0 ~ b { ok = 1 } { prev = $0 ~ a } END { exit !ok }' ||
                { printf '%s\n' "$out"; echo "no line matching /$a/ followed by /$b/"; exit 1; }
        done || exit 1
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
