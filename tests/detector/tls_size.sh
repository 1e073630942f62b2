#!/bin/sh
# A program's own thread-local variables travel with each goroutine in a save area at the
# top of its stack (runtime/tls.c).  Up to a quarter of a stack they just work, even a
# 256 KB __thread array; past that the program stops with Go's exit status 2 and a
# one-line fatal error naming RACEDEMO_STACK_KB, and a bigger stack lets it run.
# usage: tls_size.sh RACECC
set -u
racecc=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cat >"$dir/big.c" <<'C'
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#ifndef KB
#define KB 256
#endif
static __thread char buf[KB * 1024];
static void *fill(void *p)
{
    memset(buf, (int)(long)p, sizeof buf);
    sched_yield();
    for (size_t i = 0; i < sizeof buf; i++)
        if (buf[i] != (char)(long)p)
            return (void *)1;
    return NULL;
}
int main(void)
{
    pthread_t t[3];
    for (long i = 0; i < 3; i++)
        pthread_create(&t[i], NULL, fill, (void *)(i + 1));
    long bad = 0;
    for (int i = 0; i < 3; i++) {
        void *r;
        pthread_join(t[i], &r);
        bad += r != NULL;
    }
    printf("bad=%ld\n", bad);
    return bad != 0;
}
C
"$racecc" -o "$dir/ok" "$dir/big.c" || exit 1
for p in 1 2; do
  out=$(RACEDEMO_PROCS=$p "$dir/ok" 2>&1)
  st=$?
  [ $st -eq 0 ] && [ "$out" = "bad=0" ] || { echo "256 KB at procs $p: status $st:"; echo "$out"; exit 1; }
done
"$racecc" -DKB=1024 -o "$dir/big" "$dir/big.c" || exit 1
out=$("$dir/big" 2>&1)
st=$?
[ $st -eq 2 ] && printf '%s\n' "$out" | grep -q '^fatal error: .*thread-local variables take 1048576 bytes.*RACEDEMO_STACK_KB' || {
  echo "1 MB of TLS: status $st, want 2 and the fatal error:"; echo "$out"; exit 1; }
out=$(RACEDEMO_STACK_KB=8192 "$dir/big" 2>&1)
st=$?
[ $st -eq 0 ] && [ "$out" = "bad=0" ] || { echo "1 MB with 8 MB stacks: status $st:"; echo "$out"; exit 1; }
echo "tls sizes: ok"
