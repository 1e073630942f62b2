#!/bin/sh
# no_libtsan.sh PROGRAM...
#
# Every instrumented corpus program must run without ThreadSanitizer's runtime: the
# __tsan_* entry points the compilers emitted are defined in the binary itself (by
# libracedemo), nothing dynamic refers to libtsan / libclang_rt.tsan, and no __tsan_*
# symbol is left undefined for the dynamic linker to find elsewhere.
set -u
fail=0
for prog in "$@"; do
    name=$(basename "$prog")
    if readelf -d "$prog" | grep NEEDED | grep -Eq 'tsan'; then
        echo "FAIL $name: a NEEDED entry names a tsan library:"
        readelf -d "$prog" | grep NEEDED
        fail=1
    fi
    undefined=$(nm "$prog" | awk '$1 == "U" && $2 ~ /^__tsan_/ { print $2 }')
    if [ -n "$undefined" ]; then
        echo "FAIL $name: undefined ThreadSanitizer symbols: $undefined"
        fail=1
    fi
    if ! nm "$prog" | grep -Eq ' [Tt] __tsan_init$'; then
        echo "FAIL $name: __tsan_init is not defined in the binary (not instrumented?)"
        fail=1
    fi
    if ! nm "$prog" | grep -Eq ' [Tt] __tsan_func_entry$'; then
        echo "FAIL $name: __tsan_func_entry is not defined in the binary"
        fail=1
    fi
done
[ $fail -eq 0 ] && echo "PASS: $# programs, none depends on libtsan"
exit $fail
