#!/usr/bin/env bash
# bench/run.sh - racedemo against Go and ThreadSanitizer, side by side, in one run (`make bench`).
#
# Builds everything it runs (CMake Release into $BENCH_BUILD, `go build` and `go build -race`
# of bench/go), runs every benchmark BENCH_REPS times (default 3) through bench_measure
# (wall time, peak RSS from wait4; a run of 10 s or more is not repeated), keeps the best
# time and the lowest peak RSS, and prints markdown tables on stdout: the runtime table (issue 2's targets), the detector overhead
# table and a million live goroutines under the detector (issue 3's targets).  Progress
# and the raw result lines go to stderr and $BENCH_BUILD/bench-raw.log.
#
# Environment: BENCH_BUILD (default <repo>/build-bench), BENCH_REPS (3), BENCH_HEAVY_REPS
# (runs of the 1M-live benchmarks, default 1), GO (the go
# binary; default Debian's golang-1.19-go), BENCH_TIMEOUT (seconds per run, default 120).
# The detector rows need the detector's __tsan_* entry points: when they do not link yet,
# those rows say "n/a" and the rest still runs.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
B=${BENCH_BUILD:-$ROOT/build-bench}
REPS=${BENCH_REPS:-3}
HEAVY=${BENCH_HEAVY_REPS:-1}   # the 1M-live runs take 10-60 s each
TMO=${BENCH_TIMEOUT:-120}
GO=${GO:-/usr/lib/go-1.19/bin/go}
[ -x "$GO" ] || GO=$(command -v go || true)
LOG=$B/bench-raw.log

say() { printf 'bench: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# ---- build ------------------------------------------------------------------------------

build() {
    mkdir -p "$B"
    : >"$LOG"
    # -g changes no code but is required: the detector's interceptors tell the runtime's
    # own memset/memcpy calls from the user's by DWARF (without it they recurse forever).
    say "configuring $B (Release, -O2 -g)"
    cmake -S "$ROOT" -B "$B" -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS_RELEASE="-O2 -g -DNDEBUG" \
        -DRACEDEMO_BENCH=ON >>"$LOG" 2>&1 || die "cmake configure failed (see $LOG)"
    say "building runtime benchmarks and pthreads/TSan programs"
    cmake --build "$B" --target bench_all bench_native -j2 >>"$LOG" 2>&1 ||
        die "build failed (see $LOG)"
    DETECTOR=1
    say "building detector-instrumented programs"
    if ! cmake --build "$B" --target bench_detector -j2 >>"$LOG" 2>&1; then
        DETECTOR=0
        say "detector programs do not build yet (no __tsan_* entry points?): rows will say n/a"
    fi
    [ -n "$GO" ] || die "no go toolchain: bash scripts/install-deps.sh --bench"
    say "building Go twins with $("$GO" version)"
    export GOCACHE=$B/go/cache GOPATH=$B/go/path GOPROXY=off GOFLAGS= GO111MODULE=on
    (cd "$ROOT/bench/go" && "$GO" build -o "$B/go/gobench" . &&
        "$GO" build -race -o "$B/go/gobench-race" .) >>"$LOG" 2>&1 ||
        die "go build failed (see $LOG)"
}

# ---- running ----------------------------------------------------------------------------

# per case id: best ns/op, best wall ms, lowest peak RSS KiB, page tables KiB at the peak,
# the last run's result line
declare -A NS WALL RSS PARK PTE FAIL OUT FIRST LATER

field() { # field KEY LINE...: the value of KEY=value in the lines
    local k=$1
    shift
    printf '%s\n' "$@" | tr ' ' '\n' | sed -n "s/^$k=//p" | head -n1
}

min() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "") print b; else if (b == "" || a + 0 <= b + 0) print a; else print b }'; }

# run ID REPS [VAR=value...] -- CMD ARGS...: keep the best of REPS runs of CMD.
run() {
    local id=$1 reps=$2
    shift 2
    local envs=()
    while [ "$1" != "--" ]; do envs+=("$1"); shift; done
    shift
    [ -x "$1" ] || { say "$id: $1 not built"; return; }
    local r out st ns
    for ((r = 1; r <= reps; r++)); do
        out=$(env "${envs[@]}" timeout "${RUN_TMO:-$TMO}" "$B/bench/bench_measure" "$@" 2>>"$LOG")
        st=$?
        printf '%s %s: %s\n' "$id" "${envs[*]}" "$out" >>"$LOG"
        ns=$(field ns_op "$out")
        if [ $st -ne 0 ] || [ -z "$ns" ]; then
            FAIL[$id]=$st
            say "$id: run $r failed (status $st, see $LOG); no more runs of it"
            break
        fi
        OUT[$id]=$out
        NS[$id]=$(min "${NS[$id]:-}" "$ns")
        WALL[$id]=$(min "${WALL[$id]:-}" "$(field wall_ms "$out")")
        RSS[$id]=$(min "${RSS[$id]:-}" "$(field maxrss_kb "$out")")
        PARK[$id]=$(min "${PARK[$id]:-}" "$(field park_ms "$out")")
        PTE[$id]=$(min "${PTE[$id]:-}" "$(field pte_kb "$out")")
        FIRST[$id]=$(min "${FIRST[$id]:-}" "$(field first_ms "$out")")
        LATER[$id]=$(min "${LATER[$id]:-}" "$(field later_ms "$out")")
        # a run of 10 s or more is its own average: repeating it would only blow the budget
        awk -v w="$(field wall_ms "$out")" 'BEGIN { exit !(w >= 10000) }' && break
    done
    say "$(printf '%-28s %s ns/op' "$id" "${NS[$id]:-FAILED}")"
}

C=$B/bench
GB=$B/go/gobench
GR=$B/go/gobench-race
N=$B/bench/native

# side NAME P ARGS...: racedemo and Go alternately, REPS times each, best of each kept, so
# that both see the same moments of this shared machine.
side() {
    local name=$1 p=$2 r
    shift 2
    for ((r = 1; r <= REPS; r++)); do
        run $name.c.$p 1 RACEDEMO_PROCS=$p -- "$C/bench_$name" "$@"
        run $name.go.$p 1 GOMAXPROCS=$p -- "$GB" $name "$@"
    done
}

run_runtime() {
    local p
    run pages 1 -- "$C/bench_pages" 200000
    for p in 1 2; do
        side switch $p 2000000
        # not alternated: Go's spawn frees 2.6 GB, and fresh memory right after a big free
        # costs several times more here (the VM reclaims freed pages)
        run spawn.c.$p "$REPS" RACEDEMO_PROCS=$p -- "$C/bench_spawn" 1000000
        run spawn.go.$p "$REPS" GOMAXPROCS=$p -- "$GB" spawn 1000000
        side pingpong $p 1000000
        side prodcons $p 5000000
        side mutex $p 4000000
    done
    # the heavy cases last: freeing gigabytes keeps the kernel busy for a while after
    for p in 1 2; do
        # paging (the default past 16,384 live stacks) costs wall time here: up to 300 s
        # (procs = 2 too: it used to stop at 120 s and report n/a instead of its figures)
        RUN_TMO=300 run live.c.$p "$HEAVY" RACEDEMO_PROCS=$p -- \
            "$C/bench_live" 1000000
        run live.go.$p "$HEAVY" GOMAXPROCS=$p -- "$GB" live 1000000
        # the default pages parked stacks out once 16,384 are alive (stack.c; needs a
        # userfaultfd, i.e. root here); this row turns that off
        [ "$p" = 1 ] && RUN_TMO=300 run livepg.c.$p "$HEAVY" RACEDEMO_PROCS=$p RACEDEMO_STACK_PAGING=0 -- \
            "$C/bench_live" 1000000
    done
}

# Two workers on two cores everywhere: procs=2, GOMAXPROCS=2, two pthreads.
run_detector() {
    local b
    for b in arrayloop atomics mutexes; do
        run $b.rd_gcc "$REPS" RACEDEMO_PROCS=2 -- "$C/bench_$b"
        run $b.rd_gcc_race "$REPS" RACEDEMO_PROCS=2 -- "$C/bench_${b}_race_gcc"
        run $b.rd_clang "$REPS" RACEDEMO_PROCS=2 -- "$C/bench_${b}_clang"
        run $b.rd_clang_race "$REPS" RACEDEMO_PROCS=2 -- "$C/bench_${b}_race_clang"
        run $b.rd_clang_ptrace "$REPS" RACEDEMO_PROCS=2 -- "$C/bench_${b}_ptrace_clang"
        run $b.rd_gcc_race1 "$REPS" RACEDEMO_PROCS=1 -- "$C/bench_${b}_race_gcc"
        run $b.rd_gcc1 "$REPS" RACEDEMO_PROCS=1 -- "$C/bench_$b"
        run $b.pt_gcc "$REPS" -- "$N/${b}_pt_gcc"
        run $b.pt_gcc_tsan "$REPS" -- "$N/${b}_pt_gcc_tsan"
        run $b.pt_clang "$REPS" -- "$N/${b}_pt_clang"
        run $b.pt_clang_tsan "$REPS" -- "$N/${b}_pt_clang_tsan"
        run $b.go "$REPS" GOMAXPROCS=2 -- "$GB" $b
        run $b.go_race "$REPS" GOMAXPROCS=2 -- "$GR" $b
    done
    # its target is 5 s, far off on this machine (each parked stack costs page-table work
    # the VM makes slow); up to 7 minutes so that the row has figures.  10k shows scaling.
    run live10k.rd_race 1 RACEDEMO_PROCS=1 -- "$C/bench_live_race_gcc" 10000
    RUN_TMO=420 run live.rd_race 1 RACEDEMO_PROCS=1 -- "$C/bench_live_race_gcc" 1000000
    # Go -race needs ~13 GB for this; skip it rather than push a shared machine into OOM.
    local avail_kb
    avail_kb=$(awk '/MemAvailable/ { print $2 }' /proc/meminfo)
    if [ "${avail_kb:-0}" -gt $((16 * 1024 * 1024)) ]; then
        RUN_TMO=300 run live.go_race 1 GOMAXPROCS=1 -- "$GR" live 1000000
    else
        say "live.go_race skipped: needs ~13 GB, only $((avail_kb / 1024)) MB available"
    fi
}

# ---- tables -----------------------------------------------------------------------------

fmt() { # fmt VALUE SCALE DIGITS: VALUE/SCALE, or n/a
    [ -n "$1" ] && awk -v v="$1" -v s="$2" -v d="$3" 'BEGIN { printf "%.*f", d, v / s }' || printf 'n/a'
}
ratio() { # ratio A B: A/B as "1.23x"
    [ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }' || printf 'n/a'
}
meets() { # meets VALUE LIMIT: yes when VALUE <= LIMIT
    [ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN { print (a + 0 <= b + 0) ? "yes" : "**no**" }' || printf 'n/a'
}

row() { printf '| %s |\n' "$(IFS='|'; echo "$*" | sed 's/|/ | /g')"; }

runtime_table() {
    echo "### Runtime: racedemo vs Go 1.19"
    echo
    echo "Best of $REPS runs, racedemo and Go alternating except spawn ($HEAVY for the 1M-live rows, run last)."
    echo "ratio = racedemo / Go (below 1 means racedemo is faster or smaller). Peak RSS is"
    echo "wait4's ru_maxrss; page tables are VmPTE read by the program once all goroutines are parked."
    echo
    row "benchmark" "procs" "racedemo" "Go" "ratio" "target" "met"
    row "---" "---:" "---:" "---:" "---:" "---" "---"
    local p b t tgt
    for p in 1 2; do
        for b in switch spawn pingpong prodcons mutex; do
            case $b in
                switch) t="context switch (2 goroutines per proc x 2M go_yield), ns per yield" tgt=10 ;;
                spawn) t="spawn+join 1M, ns per goroutine" tgt=50 ;;
                pingpong) t="unbuffered ping-pong 1M, ns per round trip" tgt=60 ;;
                prodcons) t="buffered (cap 128) producer/consumer 5M, ns per item" tgt= ;;
                mutex) t="mutex, 4 goroutines x 1M lock/unlock, ns per op" tgt= ;;
            esac
            local c=${NS[$b.c.$p]:-} g=${NS[$b.go.$p]:-} tg
            if [ "$p" = 1 ] && [ -n "$tgt" ]; then
                row "$t" "$p" "$(fmt "$c" 1 1)" "$(fmt "$g" 1 1)" "$(ratio "$c" "$g")" "<= $tgt ns" "$(meets "$c" "$tgt")"
            else
                tg=$g
                [ "$p" = 1 ] && tg=
                row "$t" "$p" "$(fmt "$c" 1 1)" "$(fmt "$g" 1 1)" "$(ratio "$c" "$g")" \
                    "$([ "$p" = 2 ] && echo '<= Go' || echo '-')" "$([ "$p" = 2 ] && meets "$c" "$tg" || echo '-')"
            fi
        done
        local cw=${WALL[live.c.$p]:-} gw=${WALL[live.go.$p]:-} cr=${RSS[live.c.$p]:-} gr=${RSS[live.go.$p]:-}
        row "1M live goroutines parked on a channel, wall s" "$p" "$(fmt "$cw" 1000 2)" "$(fmt "$gw" 1000 2)" \
            "$(ratio "$cw" "$gw")" "$([ "$p" = 2 ] && echo '<= Go' || echo '-')" "$([ "$p" = 2 ] && meets "$cw" "$gw" || echo '-')"
        row "1M live goroutines, peak RSS MB" "$p" "$(fmt "$cr" 1024 0)" "$(fmt "$gr" 1024 0)" \
            "$(ratio "$cr" "$gr")" "<= Go (stretch: half)" "$(meets "$cr" "$gr")"
        local cp=${PTE[live.c.$p]:-} gp=${PTE[live.go.$p]:-}
        row "1M live goroutines, page tables MB (not in RSS)" "$p" "$(fmt "$cp" 1024 0)" "$(fmt "$gp" 1024 0)" \
            "$(ratio "$cp" "$gp")" "-" "-"
        if [ "$p" = 1 ]; then
            local pw=${WALL[livepg.c.$p]:-} pr=${RSS[livepg.c.$p]:-} pp=${PTE[livepg.c.$p]:-}
            [ "${FAIL[livepg.c.$p]:-}" = 124 ] && pw=
            row "1M live, RACEDEMO_STACK_PAGING=0 (no paging), wall s" "$p" "$(fmt "$pw" 1000 2)" "$(fmt "$gw" 1000 2)" \
                "$(ratio "$pw" "$gw")" "-" "-"
            row "1M live, RACEDEMO_STACK_PAGING=0 (no paging), peak RSS MB" "$p" "$(fmt "$pr" 1024 0)" "$(fmt "$gr" 1024 0)" \
                "$(ratio "$pr" "$gr")" "-" "-"
            row "1M live, RACEDEMO_STACK_PAGING=0 (no paging), page tables MB" "$p" "$(fmt "$pp" 1024 0)" "$(fmt "$gp" 1024 0)" \
                "$(ratio "$pp" "$gp")" "-" "-"
        fi
    done
    echo
}

machine_table() {
    local out=${OUT[pages]:-}
    echo "### This machine's memory: the floor under the fresh-memory rows"
    echo
    echo "bench_pages, 200,000 pages, no runtime: one byte written per page. A parked goroutine's"
    echo "stack top is a page of its own on a page-table page of its own (2 MB apart), so the"
    echo "1M-live rows cost at least the 2 MB-apart figures per goroutine, several times over"
    echo "(park, wake, exit); Go's heap is packed."
    echo
    row "access" "ns per page"
    row "---" "---:"
    row "first touch, pages 4 KB apart" "$(fmt "$(field dense_ns "$out")" 1 0)"
    row "first touch, pages 2 MB apart (a page-table page each)" "$(fmt "${NS[pages]:-}" 1 0)"
    row "second touch of those 2 MB-apart pages" "$(fmt "$(field retouch_ns "$out")" 1 0)"
    echo
}

detector_table() {
    echo "### Race detector overhead (two workers on two cores)"
    echo
    echo "Best of $REPS runs. overhead = instrumented / uninstrumented time of the same program."
    echo "racedemo rows: goroutines, RACEDEMO_PROCS=2 unless marked procs=1; TSan rows: the same"
    echo "source with pthreads; \"the pthreads source\": that pthreads program built like racecc"
    echo "builds it (its threads run as goroutines), against the same plain pthreads build;"
    echo "Go: GOMAXPROCS=2."
    echo
    row "program" "build" "plain ns/op" "instrumented ns/op" "overhead" "target"
    row "---" "---" "---:" "---:" "---:" "---"
    local b name tgt
    for b in arrayloop atomics mutexes; do
        case $b in
            arrayloop) name="array loop 4M x 10 passes" tgt="<= 3x and < clang TSan" ;;
            atomics) name="contended atomic adds (2 x 2M)" tgt="< clang TSan" ;;
            mutexes) name="contended nested lock pairs (2 x 1M)" tgt="< clang TSan" ;;
        esac
        local pair
        for pair in "racedemo, gcc -fsanitize=thread:rd_gcc:rd_gcc_race" \
            "racedemo, clang -fsanitize=thread:rd_clang:rd_clang_race" \
            "racedemo, gcc, procs=1:rd_gcc1:rd_gcc_race1" \
            "racedemo, clang, the pthreads source:pt_clang:rd_clang_ptrace" \
            "clang-14 TSan (pthreads):pt_clang:pt_clang_tsan" \
            "gcc-12 TSan (pthreads):pt_gcc:pt_gcc_tsan" \
            "Go 1.19 -race:go:go_race"; do
            IFS=: read -r label plain inst <<<"$pair"
            local a=${NS[$b.$plain]:-} i=${NS[$b.$inst]:-}
            row "$name" "$label" "$(fmt "$a" 1 2)" "$(fmt "$i" 1 2)" "$(ratio "$i" "$a")" \
                "$([[ $label == racedemo* ]] && echo "$tgt" || echo '-')"
        done
    done
    echo
    echo "Array loop pass by pass (ms, best of the same runs): the first pass also first-touches"
    echo "the 16 MB array (and, instrumented, its shadow); a later pass is the steady cost of"
    echo "the checks."
    echo
    row "build" "first pass, plain" "first pass, instrumented" "later pass, plain" "later pass, instrumented"
    row "---" "---:" "---:" "---:" "---:"
    for pair in "racedemo, gcc -fsanitize=thread:rd_gcc:rd_gcc_race" \
        "racedemo, clang -fsanitize=thread:rd_clang:rd_clang_race" \
        "racedemo, clang, the pthreads source:pt_clang:rd_clang_ptrace" \
        "clang-14 TSan (pthreads):pt_clang:pt_clang_tsan" \
        "gcc-12 TSan (pthreads):pt_gcc:pt_gcc_tsan"; do
        IFS=: read -r label plain inst <<<"$pair"
        row "$label" "$(fmt "${FIRST[arrayloop.$plain]:-}" 1 1)" "$(fmt "${FIRST[arrayloop.$inst]:-}" 1 1)" \
            "$(fmt "${LATER[arrayloop.$plain]:-}" 1 1)" "$(fmt "${LATER[arrayloop.$inst]:-}" 1 1)"
    done
    echo
    echo "### 1,000,000 live goroutines under the detector"
    echo
    row "build" "wall s" "peak RSS MB" "page tables MB" "target"
    row "---" "---:" "---:" "---:" "---"
    row "racedemo, gcc -fsanitize=thread, procs=1, 10,000 goroutines" "$(fmt "${WALL[live10k.rd_race]:-}" 1000 2)" \
        "$(fmt "${RSS[live10k.rd_race]:-}" 1024 0)" "$(fmt "${PTE[live10k.rd_race]:-}" 1024 0)" "-"
    local lw
    lw=$(fmt "${WALL[live.rd_race]:-}" 1000 2)
    [ "${FAIL[live.rd_race]:-}" = 124 ] && lw="timed out (> 420 s)"
    row "racedemo, gcc -fsanitize=thread, procs=1" "$lw" \
        "$(fmt "${RSS[live.rd_race]:-}" 1024 0)" "$(fmt "${PTE[live.rd_race]:-}" 1024 0)" "<= 5 s, <= 4096 MB"
    row "Go 1.19 -race, GOMAXPROCS=1" "$(fmt "${WALL[live.go_race]:-}" 1000 2)" \
        "$(fmt "${RSS[live.go_race]:-}" 1024 0)" "$(fmt "${PTE[live.go_race]:-}" 1024 0)" "-"
    echo
}

header() {
    echo "## Results"
    echo
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "- machine: $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p' | head -n1)," \
        "$(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo)," \
        "$(lscpu | sed -n 's/^Hypervisor vendor: *//p' | head -n1) guest, Linux $(uname -r)"
    echo "- compilers: $(gcc-12 --version 2>/dev/null | head -n1), $(clang-14 --version 2>/dev/null | head -n1), $("$GO" version)"
    echo "- load average (other jobs on this shared machine) at start: $LOAD0; at end: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "- command: \`make bench\` (bench/run.sh, BENCH_REPS=$REPS), git $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)"
    echo
}

# bench/run.sh [runtime|detector]: both parts by default.
main() {
    local t0=$SECONDS what=${1:-all}
    LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
    case $what in all | runtime | detector) ;; *) die "usage: bench/run.sh [runtime|detector]" ;; esac
    build
    [ "$what" = detector ] || run_runtime
    [ "$what" = runtime ] || run_detector
    header
    [ "$what" = detector ] || { runtime_table; machine_table; }
    [ "$what" = runtime ] || detector_table
    say "done in $((SECONDS - t0)) s; raw results in $LOG"
}

main "$@"
