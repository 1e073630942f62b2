#!/usr/bin/env bash
# `make install` gives a usable SDK: install into a scratch prefix, then build and run a
# goroutine program with nothing but pkg-config.
set -euo pipefail
build=$1
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig:$prefix/lib/x86_64-linux-gnu/pkgconfig
cat > "$prefix/prog.c" <<'C'
#include <goroutine.h>
#include <stdio.h>
static int32_t n;
static void add(void *arg) { atomic_add_int32(&n, *(int *)arg); }
int main(void)
{
    int one = 1;
    for (int i = 0; i < 10; i++)
        go(add, &one);
    while (atomic_load_int32(&n) < 10)
        go_yield();
    printf("n=%d\n", n);
    return 0;
}
C
# the pc file is configured with the build's prefix; point it at the scratch prefix
cc "$prefix/prog.c" -o "$prefix/prog" $(pkg-config --define-variable=prefix="$prefix" --cflags --libs racedemo)
out=$("$prefix/prog")
[ "$out" = "n=10" ] || { echo "unexpected output: $out"; exit 1; }
echo "install test: ok"
