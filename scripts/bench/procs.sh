#!/usr/bin/env bash
# procs.sh -- what processes buy and cost, measured on this machine.
# `make bench-procs` calls this. Prints one table; never fails on timing.
#
#   CPU-bound work (scripts/processes/cpu_bound.toy: the threads benchmark's
#   primes by trial division, split into 4 pieces) run sequentially and in
#   4 processes; the cost of starting and joining a process
#   (scripts/processes/start_join.toy) next to a thread's
#   (scripts/threads/start_join.toy); what one tiny task costs on a
#   ProcessPoolExecutor next to a ThreadPoolExecutor, one call per message
#   and 100 (map's chunksize) (scripts/processes/executor_tasks.toy); and the
#   private memory of 8 idle
#   threads next to 8 idle processes (scripts/processes/idle_memory.toy,
#   from /proc/PID/smaps_rollup).
#
# Each time is the best (smallest) of BENCH_RUNS runs (default 3), timed
# inside the scripts (time.perf_counter), so the interpreter's start-up is
# not counted; each memory figure is the largest of the runs.
# The python3 column runs the same scripts under CPython for reference.
set -uo pipefail

usage() {
    cat <<'USAGE'
usage: scripts/bench/procs.sh [--toy PATH] [--python PATH]

  --toy PATH      toy interpreter to measure (default ./toy)
  --python PATH   python3 for the reference column (default python3; "" for none)

env: BENCH_RUNS=N         runs per measurement, best reported (default 3)
     BENCH_PRIMES=N       the CPU-bound work: primes below N (default 300000)
     BENCH_PROCS=N        processes started and joined for the latency (default 100)
     BENCH_THREADS=N      threads started and joined for the latency (default 200)
     BENCH_IDLE=N         idle threads / processes for the memory (default 8)
     BENCH_TASKS=N        tiny tasks given to each executor (default 2000)
USAGE
}

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
RUNS=${BENCH_RUNS:-3}
PRIMES=${BENCH_PRIMES:-300000}
NPROCS=${BENCH_PROCS:-100}
NTHREADS=${BENCH_THREADS:-200}
NIDLE=${BENCH_IDLE:-8}
NTASKS=${BENCH_TASKS:-2000}

. "$HERE/lib.sh"
bench_options procs.sh "$@"

CPU="$ROOT/scripts/processes/cpu_bound.toy"
PSTART="$ROOT/scripts/processes/start_join.toy"
TSTART="$ROOT/scripts/threads/start_join.toy"
IDLE="$ROOT/scripts/processes/idle_memory.toy"
TASKS="$ROOT/scripts/processes/executor_tasks.toy"

# row LABEL VALUE RATIO EXPECTED PYTHON
row() { printf '  %-34s %11s %9s  %-16s %11s\n' "$1" "$2" "$3" "$4" "$5"; }

LOAD=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo "?")
bench_header "Processes on this machine: $CORES cores (load average $LOAD when started); best of $RUNS runs"
printf '  %-34s %11s %9s  %-16s %11s\n' "" "toy" "ratio" "expected" "python3"

# ---- CPU-bound work in 4 pieces ----------------------------------------------
echo "CPU-bound: primes below $PRIMES, 4 pieces (ratio: sequential / this = speed-up)"
seq_t=$(best_field "elapsed:" "$TOY" "$CPU" sequential "$PRIMES") || seq_t=""
proc_t=$(best_field "elapsed:" "$TOY" "$CPU" processes "$PRIMES") || proc_t=""
py_seq="" py_proc=""
if [ -n "$PY" ]; then
    py_seq=$(best_field "elapsed:" "$PY" "$CPU" sequential "$PRIMES") || py_seq=""
    py_proc=$(best_field "elapsed:" "$PY" "$CPU" processes "$PRIMES") || py_proc=""
fi
[ -z "$proc_t" ] && note "cpu_bound.toy processes failed under $TOY"
ideal=$(awk -v c="$CORES" 'BEGIN { if (c + 0 > 0) printf "~%.1fx", (c < 4 ? c : 4) * 0.9; else print "?" }')
row "sequential" "$(secs "$seq_t")" "1.00x" "" "$(secs "$py_seq")"
row "4 processes" "$(secs "$proc_t")" "$(ratio "$seq_t" "$proc_t")" "$ideal (>=1.8x)" "$(secs "$py_proc")"

# ---- Start + join ------------------------------------------------------------------
echo "Start + join, one at a time (mean; ratio: process / thread)"
plat=$(best_field "mean start+join:" "$TOY" "$PSTART" "$NPROCS") || plat=""
tlat=$(best_field "mean start+join:" "$TOY" "$TSTART" "$NTHREADS") || tlat=""
py_plat="" py_tlat=""
if [ -n "$PY" ]; then
    py_plat=$(best_field "mean start+join:" "$PY" "$PSTART" "$NPROCS") || py_plat=""
    py_tlat=$(best_field "mean start+join:" "$PY" "$TSTART" "$NTHREADS") || py_tlat=""
fi
row "threading.Thread" "$(usecs "$tlat")" "1.00x" "" "$(usecs "$py_tlat")"
row "multiprocessing.Process" "$(usecs "$plat")" "$(ratio "$plat" "$tlat")" "5x-20x" "$(usecs "$py_plat")"

# ---- Executor task overhead ------------------------------------------------------
echo "Executors: $NTASKS tiny tasks, 4 workers (mean per task; ratio: this / threads)"
ex_t=$(best_field "mean per task:" "$TOY" "$TASKS" threads "$NTASKS") || ex_t=""
ex_p=$(best_field "mean per task:" "$TOY" "$TASKS" processes "$NTASKS") || ex_p=""
ex_c=$(best_field "mean per task:" "$TOY" "$TASKS" chunks "$NTASKS") || ex_c=""
py_ex_t="" py_ex_p="" py_ex_c=""
if [ -n "$PY" ]; then
    py_ex_t=$(best_field "mean per task:" "$PY" "$TASKS" threads "$NTASKS") || py_ex_t=""
    py_ex_p=$(best_field "mean per task:" "$PY" "$TASKS" processes "$NTASKS") || py_ex_p=""
    py_ex_c=$(best_field "mean per task:" "$PY" "$TASKS" chunks "$NTASKS") || py_ex_c=""
fi
[ -z "$ex_p" ] && note "executor_tasks.toy processes failed under $TOY"
row "ThreadPoolExecutor" "$(usecs "$ex_t")" "1.00x" "" "$(usecs "$py_ex_t")"
row "ProcessPoolExecutor" "$(usecs "$ex_p")" "$(ratio "$ex_p" "$ex_t")" "> 1x" "$(usecs "$py_ex_p")"
row "ProcessPool map, chunksize=100" "$(usecs "$ex_c")" "$(ratio "$ex_c" "$ex_t")" "< processes" "$(usecs "$py_ex_c")"

# ---- Memory of idle workers --------------------------------------------------------
echo "Memory: $NIDLE idle workers, private KB (ratio: processes / threads)"
tmem=$(max_field "private KB:" "$TOY" "$IDLE" threads "$NIDLE") || tmem=""
pmem=$(max_field "private KB:" "$TOY" "$IDLE" processes "$NIDLE") || pmem=""
py_tmem="" py_pmem=""
if [ -n "$PY" ]; then
    py_tmem=$(max_field "private KB:" "$PY" "$IDLE" threads "$NIDLE") || py_tmem=""
    py_pmem=$(max_field "private KB:" "$PY" "$IDLE" processes "$NIDLE") || py_pmem=""
fi
[ -z "$pmem" ] && note "idle_memory.toy needs /proc/PID/smaps_rollup or /proc/PID/smaps"
row "$NIDLE threads (growth of the process)" "$(kbytes "$tmem")" "1.00x" "" "$(kbytes "$py_tmem")"
row "$NIDLE processes (sum of children)" "$(kbytes "$pmem")" "$(ratio "$pmem" "$tmem")" "> 1x" "$(kbytes "$py_pmem")"

if awk -v l="$LOAD" -v c="$CORES" 'BEGIN { exit !(l + 0 > c * 0.5) }' 2>/dev/null; then
    note "the machine was busy (load $LOAD on $CORES cores): the speed-up is understated"
fi
print_notes
exit 0
