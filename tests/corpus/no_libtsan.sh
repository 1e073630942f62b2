#!/bin/sh
# no_libtsan.sh PROGRAM...
#
# Every instrumented corpus program must run without ThreadSanitizer's runtime: no NEEDED
# entry names a tsan library (libtsan, libclang_rt.tsan), the __tsan_* entry points the
# compiler emitted are defined in the binary itself (by libracedemo), and no __tsan_*
# symbol is left undefined for the dynamic linker to resolve elsewhere.
set -u
fail=0
for prog in "$@"; do
    name=$(basename "$prog")
    if readelf -d "$prog" | grep NEEDED | grep -q tsan; then
        echo "FAIL $name: a NEEDED entry names a tsan library"
        fail=1
    fi
    verdict=$(nm "$prog" | awk '
        $1 == "U" && $2 ~ /^__tsan_/  { print "undefined " $2 }
        $2 ~ /^[Tt]$/ && $3 == "__tsan_init" { init = 1 }
        $2 ~ /^[Tt]$/ && $3 == "__tsan_func_entry" { entry = 1 }
        END { if (!init || !entry) print "__tsan_init/__tsan_func_entry not defined here" }')
    if [ -n "$verdict" ]; then
        echo "FAIL $name: $verdict"
        fail=1
    fi
done
[ $fail -eq 0 ] && echo "PASS: $# programs, none depends on libtsan"
exit $fail
