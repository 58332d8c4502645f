#!/usr/bin/env bash
# ft.sh -- what each way of counting references costs one thread and buys
# four, measured on this machine. `make bench-ft` calls this (it builds
# ./toy, ./toy-atomic and ./toy-ft first). Prints one table; never fails on
# timing.
#
#   Single thread: the benchmark suite (scripts/bench/*.toy) under
#     toy            the GIL build, plain counts (the baseline)
#     toy-atomic     every INCREF/DECREF an atomic read-modify-write, run
#                    --no-gil --no-race-detector (nothing else changed)
#     toy-ft         the free-threaded build: immortal objects, biased
#                    counts, per-object locks, run as the only thread
#                    (its locks biased to it, its shortcuts of being alone on)
#     toy-ft, threads started
#                    the same with TOY_FT_THREADS_STARTED=1: as if a second
#                    thread had been started, what every lock and check
#                    costs a program once its threads run
#   and python3 where it can run the script. Ratios are to the GIL build.
#   Then the same in instructions (scripts/bench/cachegrind.sh, with and
#   without TOY_FT_THREADS_STARTED=1), which the machine's load does not
#   move; left out without valgrind or with BENCH_FT_INSTRUCTIONS=0.
#   Four threads: scripts/threads/cpu_bound.toy (primes by trial division,
#   4 pieces) sequential and in 4 threads under each build, plus toy
#   --no-gil (plain counts, no lock: fast where it does not crash, counts
#   wrong); speed-up = sequential / threads. The same for
#   scripts/threads/containers.toy (a list and a dict built at every step),
#   which takes the paths of a container's birth and death that the primes
#   job never takes. And two ceilings for the primes job: its 4 pieces in
#   4 processes under the GIL build (what the cores give the interpreter
#   at that moment), and the primes counted in C with the lock released
#   (what they give a loop of divisions).
#
# Each number is the best of at least 9 runs (BENCH_RUNS, default 3, raises
# it), the runs alternating: the builds in turn on each single-thread row,
# sequential and threaded runs on the rows of the threaded jobs.
set -uo pipefail

usage() {
    cat <<'USAGE'
usage: scripts/bench/ft.sh [--toy PATH] [--python PATH]

  --toy PATH      the GIL build (default ./toy); toy-atomic and toy-ft are
                  taken from the same folder
  --python PATH   python3 for the reference column (default python3; "" for none)

env: BENCH_RUNS=N      runs per measurement, best reported (at least 9)
     BENCH_PRIMES=N    the CPU-bound work: primes below N (default 400000)
     BENCH_STEPS=N     the containers work: N steps per piece (default 200000)
     BENCH_FT_INSTRUCTIONS=0  leave out the instruction counts (about a minute)
USAGE
}

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
RUNS=${BENCH_RUNS:-3}
# 400000: about 0.35 s of toy-ft's sequential run. On a 2-core virtual
# machine, toy-ft's best of 9 alternating runs read 1.64x-1.68x at 150000
# (0.085 s) against 1.78x-1.86x at 400000 and 600000 in the same runs: in
# a short job a pause of one core (the host running something else on it,
# a scheduler tick, a thread starting, the last piece finishing alone) is a
# larger share of the time, and it takes more runs to find one without.
PRIMES=${BENCH_PRIMES:-400000}
STEPS=${BENCH_STEPS:-200000}

. "$HERE/lib.sh"
bench_options ft.sh "$@"
DIR=$(dirname "$TOY")
ATOMIC=$DIR/toy-atomic
FT=$DIR/toy-ft
for b in "$ATOMIC" "$FT"; do
    [ -x "$b" ] || { echo "ft.sh: $b not found (make toy-atomic toy-ft)" >&2; exit 2; }
done
CPU="$ROOT/scripts/threads/cpu_bound.toy"
CPU_PROCESSES="$ROOT/scripts/processes/cpu_bound.toy"
CONTAINERS="$ROOT/scripts/threads/containers.toy"

row() { printf '  %-24s %10s %10s %10s %10s\n' "$1" "$2" "$3" "$4" "$5"; }
row6() { printf '  %-24s %10s %10s %10s %24s %10s\n' "$1" "$2" "$3" "$4" "$5" "$6"; }

load_now() { cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo "?"; }

bench_header "Free threading on this machine: $CORES cores, load average $(load_now)"
note "toy-atomic runs with --no-gil --no-race-detector: atomic counts and no lock, nothing else changed (its lists and dicts still race; it exists to measure the counts' cost)"

# The single-thread rows alternate too: each round runs every build once,
# in turn, so that a change in the machine's load falls on all of them;
# the best of ST_ROUNDS is kept for each. On a shared machine the best of
# 5 still moved single rows by 5% between runs minutes apart, the size of
# the differences the table is for: 9 rounds.
ST_ROUNDS=$((RUNS > 9 ? RUNS : 9))
best_of() { [ $# -gt 0 ] && min "$@"; }
# spread N...: the median run over the best, when the median is more than
# 10% slower: the runs of one build on one benchmark should all take about
# as long, and a spread that wide means other programs slowed most of
# them, so the best may have met a quiet moment that another build's runs
# did not (a ratio of 0.80x or 1.37x between builds whose instruction
# counts differ by 11% has come out of such runs).
spread() {
    [ $# -gt 0 ] || return 0
    awk -v m="$(median "$@")" -v b="$(min "$@")" 'BEGIN { if (b > 0 && m / b > 1.1) printf "%.2fx", m / b }'
}
NOISY=()

echo "One thread, scripts/bench/ (ratio to the GIL build; best of $ST_ROUNDS, the builds in turn)"
row6 "" "toy" "toy-atomic" "toy-ft" "toy-ft, threads started" "python3"
for f in "$ROOT"/scripts/bench/*.toy; do
    name=$(basename "$f" .toy)
    gils=() atomics=() fts=() ftts=() pys=()
    for ((i = 0; i < ST_ROUNDS; i++)); do
        v=$(one_wall "$TOY" "$f") && gils+=("$v")
        v=$(one_wall "$ATOMIC" --no-gil --no-race-detector "$f") && atomics+=("$v")
        v=$(one_wall "$FT" "$f") && fts+=("$v")
        v=$(one_wall env TOY_FT_THREADS_STARTED=1 "$FT" "$f") && ftts+=("$v")
        [ -n "$PY" ] && v=$(one_wall "$PY" "$f") && pys+=("$v")
    done
    gil=$(best_of "${gils[@]}") || gil=""
    atomic=$(best_of "${atomics[@]}") || atomic=""
    ft=$(best_of "${fts[@]}") || ft=""
    ftt=$(best_of "${ftts[@]}") || ftt=""
    py=$(best_of "${pys[@]}") || py=""
    row6 "$name" "$(secs "$gil")" "$(ratio "$atomic" "$gil")" "$(ratio "$ft" "$gil")" \
        "$(ratio "$ftt" "$gil")" "$(ratio "$py" "$gil")"
    s_gil=$(spread "${gils[@]}") s_ft=$(spread "${fts[@]}")
    if [ -n "$s_gil$s_ft" ]; then
        NOISY+=("$name (toy ${s_gil:-under 1.10x}, toy-ft ${s_ft:-under 1.10x})")
    fi
done
if [ ${#NOISY[@]} -gt 0 ]; then
    note "the same build's runs spread widely (median run / best run) on: $(printf '%s; ' "${NOISY[@]}" | sed 's/; $//'). Other programs slowed most runs there, so the toy-ft ratios of those rows may be off by as much; rerun on a quieter machine, or compare instructions (scripts/bench/cachegrind.sh), which do not move"
fi
note "toy-ft, threads started: TOY_FT_THREADS_STARTED=1, the locks and checks a program pays once a second thread has started, on one thread"

# The same cost in instructions, which do not move with the machine's
# load: scripts/bench/cachegrind.sh (the benchmarks at small sizes, and
# the programs of programs/), run twice, the second time with
# TOY_FT_THREADS_STARTED=1 (which the GIL build ignores). Left out when
# valgrind is missing, or with BENCH_FT_INSTRUCTIONS=0.
instruction_rows() {
    local plain started
    plain=$("$HERE/cachegrind.sh" "$TOY" "$FT" 2>/dev/null) || return 1
    started=$(TOY_FT_THREADS_STARTED=1 "$HERE/cachegrind.sh" "$TOY" "$FT" 2>/dev/null) || return 1
    echo "Instructions, one thread (valgrind's count at small sizes; ratio to the GIL build)"
    row "" "toy" "toy-ft" "threads started" ""
    join <(printf '%s\n' "$plain" | awk 'NR > 1 && $2 ~ /^[0-9]+$/ { print $1, $2, $3 }' | sort) \
         <(printf '%s\n' "$started" | awk 'NR > 1 && $3 ~ /^[0-9]+$/ { print $1, $3 }' | sort) |
        while read -r name gil ft ftt; do
            row "$name" "$(awk -v n="$gil" 'BEGIN { printf "%.1f M", n / 1e6 }')" \
                "$(ratio "$ft" "$gil")" "$(ratio "$ftt" "$gil")" ""
        done
    local differ
    differ=$(printf '%s\n%s\n' "$plain" "$started" | awk '/MISMATCH/ { print $1 }' | sort -u | tr '\n' ' ')
    [ -z "$differ" ] || note "instruction counts: the builds printed different output on: $differ"
    note "instructions: valgrind --tool=cachegrind counts every instruction run, so these ratios do not move with the machine's load as the times above do; they are what a change's single-thread cost is judged by (docs/internals.md, 5b)"
}
if [ "${BENCH_FT_INSTRUCTIONS:-1}" != 0 ] && have valgrind; then
    echo
    instruction_rows || note "instruction counts: scripts/bench/cachegrind.sh failed"
fi

# The sequential and threaded runs alternate, CPU_ROUNDS of each, and so do
# the builds: each round runs every build's sequential and threaded job in
# turn, so that a change in the machine's load falls on all of them and each
# build's runs spread over the whole section; the best of each is kept. A
# threaded run needs every core at once, so anything else running on the
# machine slows it more than a sequential one: it takes more rounds to find
# a quiet moment for it (at least 9). (Each build's rounds run back to back
# once read 1.26x-1.38x for toy-ft in runs where, minutes apart, its
# threaded job ran in 0.050 s against 0.091 s sequential: a few seconds of
# a busy neighbour fell on all of one build's rounds.)
CPU_ROUNDS=$((RUNS > 9 ? RUNS : 9))
labels=("toy (GIL)" "toy --no-gil" "toy-atomic" "toy-ft" "toy-ft, threads started")
if [ -n "$PY" ]; then labels+=("python3"); fi
cpu_cmd() { # K: build K's command (labels[K]) into cmd
    case $1 in
    0) cmd=("$TOY") ;;
    1) cmd=("$TOY" --no-gil --no-race-detector) ;;
    2) cmd=("$ATOMIC" --no-gil --no-race-detector) ;;
    3) cmd=("$FT") ;;
    4) cmd=(env TOY_FT_THREADS_STARTED=1 "$FT") ;;
    *) cmd=("$PY") ;;
    esac
}
# threaded_rows SCRIPT ARG [PROCESSES]: one row per build, SCRIPT's
# sequential and threaded runs (`SCRIPT sequential|threads ARG`, which print
# "elapsed: S s") alternating, as above. With PROCESSES (the same job
# through multiprocessing: `PROCESSES sequential|processes ARG`), a last row
# takes turns with them: the GIL build running the same pieces in 4
# processes, each with its own interpreter, sharing nothing. That is what
# the cores give this work right now, with the scheduling of four pieces
# on them as the threads get it: the row to read toy-ft's against. (The
# cores give the interpreter less than they give C: a neighbour on a
# core's other hyperthread, on a shared machine, slows the interpreter's
# loop, which needs the caches and branch predictors the two share, far
# more than a loop of divisions. Measured: the same job 1.7x slower on one
# of two cores while C ran at the same speed on both.)
threaded_rows() {
    local script=$1 arg=$2 procs=${3:-} seqs=() thrs=() fails=() i k v seq thr base_seq="" n job par
    local -a names=("${labels[@]}")
    [ -n "$procs" ] && names+=("toy, 4 processes")
    n=${#names[@]}
    row "" "sequential" "4 threads" "speed-up" "vs GIL seq"
    for ((k = 0; k < n; k++)); do seqs[k]=""; thrs[k]=""; fails[k]=0; done
    for ((i = 0; i < CPU_ROUNDS; i++)); do
        for ((k = 0; k < n; k++)); do
            job=$script par=threads
            if [ "$k" -lt "${#labels[@]}" ]; then
                cpu_cmd "$k"
            else
                cmd=("$TOY") job=$procs par=processes
            fi
            v=$(field "elapsed:" "${cmd[@]}" "$job" sequential "$arg") && [ -n "$v" ] &&
                seqs[k]="${seqs[k]} $v"
            if v=$(field "elapsed:" "${cmd[@]}" "$job" "$par" "$arg") && [ -n "$v" ]; then
                thrs[k]="${thrs[k]} $v"
            else
                fails[k]=$((fails[k] + 1))
            fi
        done
    done
    for ((k = 0; k < n; k++)); do
        seq=""; thr=""
        # shellcheck disable=SC2086 # the lists are space-separated numbers
        [ -n "${seqs[k]}" ] && seq=$(min ${seqs[k]})
        # shellcheck disable=SC2086
        [ -n "${thrs[k]}" ] && thr=$(min ${thrs[k]})
        [ -z "$base_seq" ] && base_seq=$seq
        [ "${fails[k]}" -gt 0 ] &&
            note "${names[k]}, $(basename "$script"): ${fails[k]} of $CPU_ROUNDS threaded runs failed (a race stopped or crashed them)"
        if [ "$k" -lt "${#labels[@]}" ]; then
            row "${names[k]}" "$(secs "$seq")" "$(secs "$thr")" "$(ratio "$seq" "$thr")" "$(ratio "$seq" "$base_seq")"
        else
            row "${names[k]}" "$(secs "$seq")" "$(secs "$thr")" "$(ratio "$seq" "$thr")" "-"
            note "${names[k]}: $(basename "$procs") under toy, the same pieces in 4 processes (multiprocessing, each with its own interpreter and lock): what the cores give this work right now, to read the toy-ft rows against"
        fi
    done
}

echo
echo "CPU-bound: primes below $PRIMES in 4 pieces of equal work (best of $CPU_ROUNDS, alternating; speed-up: sequential / 4 threads)"
threaded_rows "$CPU" "$PRIMES" "$CPU_PROCESSES"
# What the cores give at this moment: the same trial division in C
# (native.count_primes, which releases the lock), on 10x the numbers since
# C is that much faster, sequential and threaded runs alternating. A
# neighbour that takes a core lowers it, as it lowers every row above; one
# that shares a core's caches lowers it far less than it lowers the
# interpreter's rows (threaded_rows).
native_seqs=() native_thrs=()
for ((i = 0; i < CPU_ROUNDS; i++)); do
    v=$(field "elapsed:" "$TOY" "$CPU" native-sequential $((PRIMES * 10))) && [ -n "$v" ] &&
        native_seqs+=("$v")
    v=$(field "elapsed:" "$TOY" "$CPU" native $((PRIMES * 10))) && [ -n "$v" ] && native_thrs+=("$v")
done
native_seq=$(best_of "${native_seqs[@]}") || native_seq=""
native_thr=$(best_of "${native_thrs[@]}") || native_thr=""
row "C, lock released" "$(secs "$native_seq")" "$(secs "$native_thr")" \
    "$(ratio "$native_seq" "$native_thr")" "-"
note "C, lock released: native.count_primes on the numbers below $((PRIMES * 10)) under toy: what the cores give right now to a loop of divisions in C"

# The primes job computes with ints, which each thread allocates from its
# own free list. This one builds a list and a dict at every step: the
# paths every container's birth and death take (the allocator, the
# collector's lists, a dict's lock), which threads that share a lock or a
# cache line there stop scaling on.
echo
echo "Containers: 4 pieces of $STEPS steps, each building a list and a dict (best of $CPU_ROUNDS, alternating)"
threaded_rows "$CONTAINERS" "$STEPS"

par=$(awk -v c="$CORES" 'BEGIN { print (c + 0 < 4 ? c : 4) }')
note "4 pieces on $CORES cores: the best possible speed-up is ${par}x"
load_end=$(load_now)
if awk -v l="$load_end" -v c="$CORES" 'BEGIN { exit !(l + 0 > c) }'; then
    note "load average at the end: $load_end (above $CORES, counting this run itself: other processes shared the cores, so the parallel rows are pessimistic)"
else
    note "load average at the end: $load_end"
fi
print_notes
exit 0
