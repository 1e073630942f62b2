#!/bin/sh
# no_libtsan.sh PROGRAM...
#
# Every instrumented corpus program must run without ThreadSanitizer's runtime: no NEEDED
# entry names a tsan library (libtsan, libclang_rt.tsan), no __tsan_* symbol is left
# undefined for the dynamic linker to resolve elsewhere, and the entry points the compiler
# emitted (__tsan_init, __tsan_func_entry) are defined in the executable itself, by
# libracedemo.  One readelf per binary: the dynamic section and both symbol tables.
set -u
fail=0
for prog in "$@"; do
    verdict=$(readelf -W -d -s "$prog" | awk '
        /\(NEEDED\)/ && /tsan/          { print "NEEDED " $NF }
        $7 == "UND" && $8 ~ /^__tsan_/  { print "undefined " $8 }
        $4 == "FUNC" && $7 != "UND" && $8 == "__tsan_init"       { init = 1 }
        $4 == "FUNC" && $7 != "UND" && $8 == "__tsan_func_entry" { entry = 1 }
        END { if (!init || !entry) print "__tsan_init/__tsan_func_entry not defined here" }')
    if [ -n "$verdict" ]; then
        echo "FAIL $(basename "$prog"): $verdict"
        fail=1
    fi
done
[ $fail -eq 0 ] && echo "PASS: $# programs, none depends on libtsan"
exit $fail
