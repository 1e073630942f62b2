#!/bin/sh
# no_libtsan.sh PROG: PROG must not need libtsan and must define the __tsan_* ABI itself.
prog=$1
if readelf -d "$prog" | grep -i 'tsan'; then
    echo "$prog depends on libtsan"
    exit 1
fi
for sym in __tsan_init __tsan_read4 __tsan_write8 __tsan_func_entry __tsan_atomic32_fetch_add; do
    nm "$prog" | grep -q " T $sym\$" || { echo "$sym not defined in $prog"; exit 1; }
done
nm -u "$prog" | grep -q '__tsan' && { echo "$prog has undefined __tsan symbols"; exit 1; }
exit 0
