#!/usr/bin/env bash
# threads.sh -- what threads buy under the GIL, measured on this machine.
# `make bench-threads` calls this. Prints one table; never fails on timing.
#
#   CPU-bound work (scripts/threads/cpu_bound.toy: primes by trial division,
#   split into 4 pieces) run sequentially, in 4 threads under the GIL, in 4
#   threads with --no-gil, and 4 calls of native.count_primes (C code that
#   releases the GIL) one after another and in 4 threads; ten 0.2 s sleeps one after another and in
#   ten threads (scripts/threads/downloads.toy); the cost of starting and
#   joining a thread (scripts/threads/start_join.toy); what a task costs on a
#   ThreadPoolExecutor (scripts/processes/executor_tasks.toy); and what the GIL costs
#   a single-threaded program (scripts/bench/loop.toy and fib.toy with and
#   without --no-gil).
#
# Each number is the best of BENCH_RUNS runs (default 3). The CPU-bound and
# sleep timings are taken inside the scripts (time.perf_counter), so the
# interpreter's start-up is not counted; loop and fib are timed from outside.
set -uo pipefail

usage() {
    cat <<'USAGE'
usage: scripts/bench/threads.sh [--toy PATH] [--python PATH]

  --toy PATH      toy interpreter to measure (default ./toy)
  --python PATH   python3 for the reference column (default python3; "" for none)

env: BENCH_RUNS=N         runs per measurement, best reported (default 3)
     BENCH_PRIMES=N       the CPU-bound work: primes below N (default 150000)
     BENCH_NATIVE_PRIMES=N  the same for native.count_primes (default 3000000)
     BENCH_SLEEP=S        seconds per simulated download (default 0.2)
     BENCH_THREADS=N      threads started and joined for the latency (default 200)
     BENCH_TASKS=N        tiny tasks given to the executor (default 2000)
USAGE
}

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
RUNS=${BENCH_RUNS:-3}
PRIMES=${BENCH_PRIMES:-150000}
NATIVE_PRIMES=${BENCH_NATIVE_PRIMES:-3000000}
SLEEP=${BENCH_SLEEP:-0.2}
NTHREADS=${BENCH_THREADS:-200}
NTASKS=${BENCH_TASKS:-2000}

. "$HERE/lib.sh"
bench_options threads.sh "$@"

CPU="$ROOT/scripts/threads/cpu_bound.toy"
DOWNLOADS="$ROOT/scripts/threads/downloads.toy"
START_JOIN="$ROOT/scripts/threads/start_join.toy"
TASKS="$ROOT/scripts/processes/executor_tasks.toy"

# row LABEL TIME RATIO EXPECTED PYTHON
row() { printf '  %-34s %10s %9s  %-16s %10s\n' "$1" "$2" "$3" "$4" "$5"; }

# A busy machine cannot show threads running in parallel: say so.
busy_note() {
    local load
    load=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null) || return
    if awk -v l="$load" -v c="$CORES" 'BEGIN { exit !(c + 0 > 0 && l > c * 0.75) }'; then
        note "load average $load on $CORES cores $1: other processes compete for the cores, so the parallel timings are pessimistic"
    fi
}
busy_note "at the start"
bench_header "Threads and the GIL on this machine: $CORES cores; best of $RUNS runs"
printf '  %-34s %10s %9s  %-16s %10s\n' "" "time" "ratio" "expected" "python3"

# ---- CPU-bound work in 4 pieces ----------------------------------------------
echo "CPU-bound: primes below $PRIMES, 4 pieces (ratio: time / sequential)"
seq_t=$(best_field "elapsed:" "$TOY" "$CPU" sequential "$PRIMES") || seq_t=""
thr_t=$(best_field "elapsed:" "$TOY" "$CPU" threads "$PRIMES") || thr_t=""
nogil_t=$(best_field "elapsed:" "$TOY" --no-gil "$CPU" threads "$PRIMES") || nogil_t=""
py_seq="" py_thr=""
if [ -n "$PY" ]; then
    py_seq=$(best_field "elapsed:" "$PY" "$CPU" sequential "$PRIMES") || py_seq=""
    py_thr=$(best_field "elapsed:" "$PY" "$CPU" threads "$PRIMES") || py_thr=""
fi
[ -z "$seq_t" ] && note "cpu_bound.toy sequential failed under $TOY"
[ -z "$nogil_t" ] && note "cpu_bound.toy threads failed under --no-gil (a reference-count race stops it? run it by hand)"
# 4 pieces keep at most 4 cores busy: the best ratio is 1/min(cores, 4).
par=$(awk -v c="$CORES" 'BEGIN { if (c + 0 <= 0) print "?"; else print (c < 4 ? c : 4) }')
one_over="1/$par = $(awk -v p="$par" 'BEGIN { if (p + 0 > 0) printf "%.2fx", 1 / p; else print "?" }')"
row "sequential" "$(secs "$seq_t")" "1.00x" "" "$(secs "$py_seq")"
row "4 threads, GIL" "$(secs "$thr_t")" "$(ratio "$thr_t" "$seq_t")" "~1.0x" "$(secs "$py_thr")"
row "4 threads, --no-gil" "$(secs "$nogil_t")" "$(ratio "$nogil_t" "$seq_t")" "~$one_over" ""
if [ -n "$nogil_t" ] && [ -n "$seq_t" ] &&
   awk -v a="$nogil_t" -v b="$seq_t" 'BEGIN { exit !(a > 0.8 * b) }'; then
    note "--no-gil threads gained little: every thread still writes the reference counts of the objects they all use (small ints, None, the function), so those cache lines bounce between cores; see docs/internals.md (TOY_REFCOUNT_SKIP_IMMORTAL)"
fi

# native.count_primes (C, releasing the GIL): skipped when this toy has no
# `native` module. C is much faster than bytecode, so it gets more work and
# its own baseline: the same 4 calls one after another.
native_out=$("$TOY" "$CPU" native 1000 2>&1)
if [ $? -eq 0 ]; then
    echo "Native: native.count_primes, primes below $NATIVE_PRIMES, 4 pieces (ratio: time / one after another)"
    nseq_t=$(best_field "elapsed:" "$TOY" "$CPU" native-sequential "$NATIVE_PRIMES") || nseq_t=""
    nthr_t=$(best_field "elapsed:" "$TOY" "$CPU" native "$NATIVE_PRIMES") || nthr_t=""
    row "4 calls one after another" "$(secs "$nseq_t")" "1.00x" "" ""
    row "4 threads, GIL released in C" "$(secs "$nthr_t")" "$(ratio "$nthr_t" "$nseq_t")" "~$one_over" ""
else
    echo "Native: native.count_primes in 4 threads"
    row "skipped (no native module)" "-" "-" "~$one_over" ""
    note "native.count_primes skipped: $(printf '%s\n' "$native_out" | head -n 1)"
fi

# ---- Waiting: ten sleeps ------------------------------------------------------
echo "Waiting: ten $SLEEP s sleeps (ratio: time / sequential)"
sleep_seq=$(best_field "sequential:" "$TOY" "$DOWNLOADS" "$SLEEP") || sleep_seq=""
sleep_thr=$(best_field "threaded:" "$TOY" "$DOWNLOADS" "$SLEEP") || sleep_thr=""
row "sequential" "$(secs "$sleep_seq")" "1.00x" "" ""
row "10 threads" "$(secs "$sleep_thr")" "$(ratio "$sleep_thr" "$sleep_seq")" "~0.10x" ""

# ---- Thread start + join -----------------------------------------------------
echo "Thread start + join, one at a time (mean over $NTHREADS threads)"
lat=$(best_field "mean start+join:" "$TOY" "$START_JOIN" "$NTHREADS") || lat=""
py_lat=""
[ -n "$PY" ] && { py_lat=$(best_field "mean start+join:" "$PY" "$START_JOIN" "$NTHREADS") || py_lat=""; }
row "threading.Thread start+join" "$(usecs "$lat")" "" "" "$(usecs "$py_lat")"

# ---- Executor task overhead ----------------------------------------------------
echo "Executor: $NTASKS tiny tasks, submit then result (mean per task)"
ex_t=$(best_field "mean per task:" "$TOY" "$TASKS" threads "$NTASKS") || ex_t=""
py_ex_t=""
[ -n "$PY" ] && { py_ex_t=$(best_field "mean per task:" "$PY" "$TASKS" threads "$NTASKS") || py_ex_t=""; }
row "ThreadPoolExecutor(4), per task" "$(usecs "$ex_t")" "" "" "$(usecs "$py_ex_t")"

# ---- The GIL's cost to one thread ----------------------------------------------
echo "One thread: the GIL's cost (ratio: GIL on / --no-gil --no-race-detector, whole run)"
note "the single-thread rows turn the race detector off too (--no-race-detector), so that they measure the lock alone: the detector's poisoning and quarantine cost more than the GIL does"
for bench in loop fib; do
    f="$ROOT/scripts/bench/$bench.toy"
    on=$(best_wall "$TOY" "$f") || on=""
    off=$(best_wall "$TOY" --no-gil --no-race-detector "$f") || off=""
    row "$bench.toy, GIL on" "$(secs "$on")" "$(ratio "$on" "$off")" "<= 1.02x" ""
    row "$bench.toy, --no-gil --no-race-detector" "$(secs "$off")" "" "" ""
done

busy_note "at the end"
print_notes
exit 0
