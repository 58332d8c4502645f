#!/usr/bin/env bash
# scaling.sh -- how far each way around the GIL scales with the cores this
# machine has. `make bench-scaling` calls this (it builds ./toy, ./toy-atomic
# and ./toy-ft first). Prints one table per job; never fails on timing.
#
#   scripts/threads/scaling.toy: every worker counts the primes below LIMIT
#   (the same job each: weak scaling), N workers at once for N = 1, 2, 4, ...
#   up to the number of cores. A cell is the speed-up N * t(1) / t(N): how
#   many workers' jobs got done in the time of one (ideal: N). Rows:
#     toy                 threads under the GIL (ideal there: 1.00x)
#     toy --no-gil        no lock, plain counts: races wherever workers
#                         share an object (the `globals` job shares a
#                         function); "-" where the run failed
#     toy-atomic          no lock, every count an atomic read-modify-write
#     toy-ft              the free-threaded build
#     toy processes       a multiprocessing.Pool of N processes
#     python3 threads / processes   CPython, where python3 is installed
#   Two jobs: `locals` (workers share nothing but immortal constants) and
#   `globals` (each step calls a module-level function and reads a
#   module-level constant: every worker reads the same dict and function).
#
# Each time is the best of BENCH_RUNS runs (default 3).
set -uo pipefail

usage() {
    cat <<'USAGE'
usage: scripts/bench/scaling.sh [--toy PATH] [--python PATH]

  --toy PATH      the GIL build (default ./toy); toy-atomic and toy-ft are
                  taken from the same folder
  --python PATH   python3 for the reference rows (default python3; "" for none)

env: BENCH_RUNS=N        runs per measurement, best reported (default 3)
     BENCH_LIMIT=N       each worker's job: primes below N (default 50000)
     BENCH_MAX=N         most workers (default: the number of cores)
     BENCH_JOBS="J..."   jobs to measure (default "locals globals")
     BENCH_TIMEOUT=S     a run taking longer is stopped and counts as failed
                         (default 120; a --no-gil run can hang on a garbled lock)
USAGE
}

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
RUNS=${BENCH_RUNS:-3}
LIMIT=${BENCH_LIMIT:-50000}
JOBS=${BENCH_JOBS:-locals globals}
TMO=${BENCH_TIMEOUT:-120}

. "$HERE/lib.sh"
bench_options scaling.sh "$@"
DIR=$(dirname "$TOY")
ATOMIC=$DIR/toy-atomic
FT=$DIR/toy-ft
for b in "$ATOMIC" "$FT"; do
    [ -x "$b" ] || { echo "scaling.sh: $b not found (make toy-atomic toy-ft)" >&2; exit 2; }
done
SCRIPT="$ROOT/scripts/threads/scaling.toy"
MAX=${BENCH_MAX:-$CORES}

# The worker counts: 1, 2, 4, ... up to MAX, and MAX itself.
COUNTS=()
for ((n = 1; n <= MAX; n *= 2)); do COUNTS+=("$n"); done
[ "${COUNTS[-1]}" != "$MAX" ] && COUNTS+=("$MAX")

load_now() { cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo "?"; }

header_row() {
    printf '  %-20s %9s' "" "t(1)"
    for n in "${COUNTS[@]}"; do printf ' %8s' "N=$n"; done
    echo
}

# scale_row LABEL MODE JOB CMD... : one row: t(1), then N * t(1) / t(N).
scale_row() {
    local label=$1 mode=$2 job=$3; shift 3
    local t1="" tn cell
    printf '  %-20s' "$label"
    for n in "${COUNTS[@]}"; do
        tn=$(best_field "elapsed:" timeout "$TMO" "$@" "$SCRIPT" "$mode" "$n" "$LIMIT" "$job") || tn=""
        if [ "$n" = 1 ]; then
            t1=$tn
            printf ' %9s' "$(secs "$t1")"
        fi
        cell=$(awk -v a="$t1" -v b="$tn" -v n="$n" \
            'BEGIN { if (a > 0 && b > 0) printf "%.2fx", n * a / b; else print "-" }')
        printf ' %8s' "$cell"
    done
    echo
}

bench_header "Scaling on this machine: $CORES cores, load average $(load_now); best of $RUNS runs"
for job in $JOBS; do
    echo "Job '$job': each of N workers counts the primes below $LIMIT (speed-up N * t(1) / t(N); ideal N)"
    header_row
    scale_row "toy (GIL)" threads "$job" "$TOY"
    scale_row "toy --no-gil" threads "$job" "$TOY" --no-gil
    scale_row "toy-atomic" threads "$job" "$ATOMIC" --no-gil --no-race-detector
    scale_row "toy-ft" threads "$job" "$FT"
    scale_row "toy processes" processes "$job" "$TOY"
    if [ -n "$PY" ]; then
        scale_row "python3 threads" threads "$job" "$PY"
        scale_row "python3 processes" processes "$job" "$PY"
    fi
    echo
done
note "t(1) is one worker's time; processes include starting the pool"
note "toy --no-gil runs with its race detector: a run it stops, or one stopped after $TMO s, counts as failed (\"-\")"
note "load average at the end: $(load_now) (counting this run itself)"
print_notes
exit 0
