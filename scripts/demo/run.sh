#!/usr/bin/env bash
# scripts/demo/run.sh - `make demo`: threads, processes and the GIL, each claim
# measured on this machine and printed with its number, a bar drawn to scale
# and a one-line conclusion.
#
#   scripts/demo/run.sh [TOY]        (default ./toy; run from the repository root)
#
# Environment:
#   DEMO_CPU_SECONDS  how long the sequential CPU-bound run should take (default 1.0)
#   DEMO_ASCII=1      draw bars with '#' instead of block characters
#   DEMO_PARTS        the parts to run, e.g. "race_outcomes cycles cow" (default: all)
#   DEMO_TOY_IMMORTAL the skip-immortal build for part 12 (default: toy-immortal
#                     beside TOY; make toy-immortal)
#
# Every number comes from running toy on a small script in scripts/demo/ (or
# scripts/threads/race_refcount.toy); the command is printed before its
# result, so each claim can be reproduced by hand. A missing feature
# (multiprocessing, the native module) is reported and its part skipped.
# The exit status is 0 whatever the measurements say: the report is the
# result. Needs bash, awk, sed and coreutils.
set -u

TOY=${1:-./toy}
DEMO=scripts/demo
CPU_SECONDS=${DEMO_CPU_SECONDS:-1.0}
IO_DELAY=0.1      # seconds the local web server waits before each answer (part 2)
SLEEPS=100        # 1 ms sleeps beside a CPU-bound thread (part 8): ~1 s under modern
OUTCOME_RUNS=6    # runs of each racing-count outcome (part 10), ~1 s each
COW_ROWS=100000   # lists of 10 ints the parent builds (part 12): 1 million ints
TOY_IMMORTAL=${DEMO_TOY_IMMORTAL:-$(dirname "${1:-./toy}")/toy-immortal}
ECHO_SECONDS=0.3  # length of each of the four echo runs (part 8)
BAR_WIDTH=36
ASCII=${DEMO_ASCII:-0}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/toy-demo.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# ---- Helpers ----------------------------------------------------------------------

section() { printf '\n%s\n%s\n' "$1" "$(printf '%s' "$1" | tr -c '\n' '=')"; }
say() { printf '  %s\n' "$@"; }
conclude() { printf '  => %s\n' "$*"; }
show_cmd() { printf '  $ %s\n' "$*"; }

# run NAME CMD...: run a command (at most 120 s), stdout to $WORK/NAME.out,
# stderr to $WORK/NAME.err; sets $rc.
if command -v timeout > /dev/null 2>&1; then LIMIT="timeout 120"; else LIMIT=""; fi
run() {
    local name=$1
    shift
    $LIMIT "$@" < /dev/null > "$WORK/$name.out" 2> "$WORK/$name.err"
    rc=$?
}

# field NAME KEY N: the Nth word after "RESULT KEY" in $WORK/NAME.out.
field() { awk -v k="$2" -v n="$3" '$1 == "RESULT" && $2 == k { print $(2 + n); exit }' "$WORK/$1.out"; }

# calc EXPR: floating-point arithmetic; fmt FORMAT NUMBER: printf in awk.
calc() { awk "BEGIN { printf \"%.6f\", $1 }"; }
fmt() { awk -v v="$2" "BEGIN { printf \"$1\", v }"; }
max() { printf '%s\n' "$@" | awk 'NR == 1 || $1 > m { m = $1 } END { print m + 0 }'; }
# faster SPEEDUP: true when a speed-up is clearly more than noise.
faster() { [ -n "$1" ] && awk -v s="$1" 'BEGIN { exit !(s >= 1.3) }'; }

# bar VALUE MAX: VALUE drawn on a scale whose full width (BAR_WIDTH cells) is
# MAX, in eighths of a cell, padded with spaces to BAR_WIDTH cells.
bar() {
    awk -v v="$1" -v m="$2" -v w="$BAR_WIDTH" -v ascii="$ASCII" 'BEGIN {
        if (m <= 0) m = 1
        e = int(v / m * w * 8 + 0.5)
        if (e < 1 && v > 0) e = 1
        if (e > w * 8) e = w * 8
        full = int(e / 8); rest = e % 8
        split("\342\226\217 \342\226\216 \342\226\215 \342\226\214 \342\226\213 \342\226\212 \342\226\211", part, " ")
        s = ""
        for (i = 0; i < full; i++) s = s (ascii ? "#" : "\342\226\210")
        cells = full
        if (rest > 0) { s = s (ascii ? (rest >= 4 ? "#" : " ") : part[rest]); cells++ }
        for (; cells < w; cells++) s = s " "
        printf "%s", s
    }'
}

# chart LABEL NUMBER UNIT VALUE MAX [NOTE]: one line of a bar chart: a label,
# the number as printed and its unit, a bar for VALUE out of MAX, a note.
chart() {
    printf '  %-30s %9s %-3s %s %s\n' "$1" "$2" "$3" "$(bar "$4" "$5")" "${6:-}"
}
chart_header() { printf '  %-30s %9s %-3s %-*s %s\n' "" "$1" "" "$BAR_WIDTH" "" "${2:-}"; }

indent() { sed 's/^/    /' "$1"; }
loadavg() { cut -d ' ' -f 1 /proc/loadavg 2> /dev/null || echo "unknown"; }
has_module() { "$TOY" -c "import $1" > /dev/null 2>&1; }
stat_of() { sed -n "s/^$2: //p" "$1" | head -n 1; } # a --stats line, from stderr

# What the race detector said in an --no-gil run's stderr, in a few words.
race_verdict() {
    local what obj
    what=$(sed -n 's/^toy: reference-count race detected: //p' "$1" | head -n 1)
    obj=$(sed -n "s/^  object: an\{0,1\} '\([^']*\)'.*/\1/p" "$1" | head -n 1)
    [ -n "$what" ] && echo "stopped by the race detector: $what${obj:+ (a '$obj' object)}, exit 3"
}

# get NAME: the value of the variable called NAME, or nothing.
get() { printf '%s' "${!1:-}"; }

# ---- 1. CPU-bound ------------------------------------------------------------------

# cpu_run KEY MODE [FLAGS...]: run cpu.toy MODE on the job; T_KEY is its time,
# COUNT_KEY the primes it found.
cpu_run() {
    local key=$1 mode=$2
    shift 2
    run "cpu-$key" "$TOY" --stats "$@" $DEMO/cpu.toy "$mode" "$WIDTH"
    printf -v "T_$key" '%s' "$(field "cpu-$key" "$mode" 2)"
    printf -v "COUNT_$key" '%s' "$(field "cpu-$key" "$mode" 1)"
}

# cpu_row KEY LABEL [NOTE]: a chart line for a run, with its speed-up.
cpu_row() {
    local t count
    t=$(get "T_$1"); count=$(get "COUNT_$1")
    if [ -z "$t" ]; then
        printf '  %-30s %9s     %s\n' "$2" "-" "${3:-did not finish (exit $rc)}"
        return
    fi
    chart "$2" "$(fmt '%.3f' "$t")" s "$t" "$MAXT" \
        "$(fmt '%5.2f' "$(calc "$T_seq / $t")")x  ($count primes)"
    [ -n "${3:-}" ] && printf '  %-30s %s\n' "" "$3"
}

speedup_of() { local t; t=$(get "T_$1"); [ -n "$t" ] && calc "$T_seq / $t"; }

part_cpu() {
    section "1. CPU-bound work, four ways"
    run calibrate "$TOY" $DEMO/cpu.toy calibrate "$CPU_SECONDS"
    WIDTH=$(cat "$WORK/calibrate.out")
    case $WIDTH in '' | *[!0-9]*) WIDTH=160000 ;; esac
    say "The job: count the primes among the $WIDTH numbers from 10,000,000 by trial"
    say "division, split into 4 equal parts (sized to take about $CPU_SECONDS s on one core here)."
    echo
    T_seq=""; T_gil=""; T_nogil=""; T_procs=""
    show_cmd "$TOY $DEMO/cpu.toy sequential $WIDTH"
    cpu_run seq sequential
    show_cmd "$TOY $DEMO/cpu.toy threads $WIDTH"
    cpu_run gil threads
    show_cmd "$TOY --no-gil --stats $DEMO/cpu.toy threads $WIDTH"
    # The race detector may stop a run (exit 3): say so, and try again.
    local stopped=0 verdict="" note
    for _ in 1 2 3; do
        cpu_run nogil threads --no-gil
        [ "$rc" = 3 ] || break
        stopped=$((stopped + 1))
        verdict=$(race_verdict "$WORK/cpu-nogil.err")
    done
    if [ -n "$T_nogil" ]; then
        note="race report: anomalies $(stat_of "$WORK/cpu-nogil.err" anomalies), leaked $(stat_of "$WORK/cpu-nogil.err" leaked) (lost decrements)"
        [ $stopped -gt 0 ] && note+="; $stopped earlier run(s) $verdict"
    else
        note=${verdict:-"failed (exit $rc)"}
    fi
    if [ $HAVE_MP = 1 ]; then
        show_cmd "$TOY $DEMO/cpu.toy processes $WIDTH"
        cpu_run procs processes
    fi
    if [ -z "$T_seq" ]; then
        say "the sequential run failed (exit $rc): nothing to compare with"
        return
    fi

    MAXT=$(max "$T_seq" "${T_gil:-0}" "${T_nogil:-0}" "${T_procs:-0}")
    echo
    chart_header "time" "speed-up"
    cpu_row seq "1 thread, sequential"
    cpu_row gil "4 threads, GIL on"
    cpu_row nogil "4 threads, --no-gil" "$note"
    if [ $HAVE_MP = 1 ]; then
        cpu_row procs "4 processes (multiprocessing)"
    else
        cpu_row procs "4 processes (multiprocessing)" "skipped: import multiprocessing fails in this build"
    fi
    echo
    local counts
    counts=$(printf '%s\n' "$COUNT_seq" "$(get COUNT_gil)" "$(get COUNT_nogil)" "$(get COUNT_procs)" |
        sed '/^$/d' | sort -u)
    if [ "$(printf '%s\n' "$counts" | wc -l)" = 1 ]; then
        say "Every run found the same $COUNT_seq primes."
    else
        say "The runs disagree on the count:" $counts "(a race changed a result)."
    fi
    conclude "Under the GIL, 4 threads take turns: no faster than 1 thread ($(fmt '%.2f' "$(speedup_of gil)")x)."
    cpu_conclude_processes "$(speedup_of procs)"
    cpu_conclude_no_gil "$(speedup_of nogil)" "$(speedup_of procs)"
    part_native
    part_cpu_timelines
}

cpu_conclude_processes() {
    [ -z "$1" ] && return
    local x
    x=$(fmt '%.2f' "$1")
    if faster "$1"; then
        conclude "With one GIL per process, the parts run on $CORES cores at once: ${x}x."
    elif [ "$CORES" -le 1 ]; then
        conclude "Processes: ${x}x: with one core nothing can run in parallel."
    else
        conclude "Processes: only ${x}x here: the cores were busy elsewhere (load average $(loadavg))."
    fi
}

cpu_conclude_no_gil() { # SPEEDUP_NOGIL SPEEDUP_PROCS
    [ -z "$1" ] && return
    local x
    x=$(fmt '%.2f' "$1")
    if faster "$1"; then
        conclude "Without the lock (--no-gil), the threads run on $CORES cores at once: ${x}x."
    elif [ "$CORES" -le 1 ]; then
        conclude "--no-gil: ${x}x: with one core nothing can run in parallel."
    else
        conclude "--no-gil: ${x}x. The threads do run at once (see the timeline below), but"
        say "   they share objects (small ints, True and False, the function's constants), and"
        say "   every INCREF or DECREF of those moves the same memory between the cores; the race"
        say "   detector also checks every object freed. Free-threaded CPython avoids that cost"
        say "   with objects that are never counted (immortal) and per-thread counts; so does"
        say "   Toy's free-threaded build, toy-ft (part 13)."
        faster "${2:-0}" || say "   (and busy cores, load average $(loadavg), keep any parallel run from gaining)"
    fi
}

part_native() {
    echo
    say "Native code that releases the GIL (native.count_primes: the same loop, in C):"
    if [ $HAVE_NATIVE = 0 ]; then
        say "skipped: import native fails in this build (no native.count_primes)"
        MISSING+=" native"
        return
    fi
    run ncal "$TOY" $DEMO/cpu.toy calibrate-native "$CPU_SECONDS"
    local nwidth ns nt nmax sp
    nwidth=$(cat "$WORK/ncal.out")
    case $nwidth in '' | *[!0-9]*) nwidth=8000000 ;; esac
    show_cmd "$TOY $DEMO/cpu.toy native-sequential $nwidth"
    run nseq "$TOY" $DEMO/cpu.toy native-sequential "$nwidth"
    show_cmd "$TOY $DEMO/cpu.toy native-threads $nwidth"
    run nthr "$TOY" $DEMO/cpu.toy native-threads "$nwidth"
    ns=$(field nseq native-sequential 2); nt=$(field nthr native-threads 2)
    if [ -z "$ns" ] || [ -z "$nt" ]; then
        say "the native runs failed (exit $rc)"
        return
    fi
    nmax=$(max "$ns" "$nt"); sp=$(calc "$ns / $nt")
    chart "C loop, 1 thread" "$(fmt '%.3f' "$ns")" s "$ns" "$nmax" " 1.00x"
    chart "C loop, 4 threads, GIL on" "$(fmt '%.3f' "$nt")" s "$nt" "$nmax" "$(fmt '%5.2f' "$sp")x"
    say "(in C the job is $(fmt '%.0f' "$(calc "$nwidth / $WIDTH")") times as large, to take as long as in Toy)"
    if faster "$sp"; then
        conclude "Threads run in parallel under the GIL while inside C code that released it: $(fmt '%.2f' "$sp")x."
    elif [ "$CORES" -le 1 ]; then
        conclude "One core: even code without the GIL cannot run in parallel ($(fmt '%.2f' "$sp")x)."
    else
        conclude "Only $(fmt '%.2f' "$sp")x here: the cores were busy elsewhere (load average $(loadavg))."
    fi
}

part_cpu_timelines() {
    local quarter=$((WIDTH / 4))
    echo
    say "Who held the GIL, 4 threads on a quarter of the job (# held it and ran on a CPU, . waiting):"
    show_cmd "$TOY --gil-trace=- $DEMO/cpu.toy threads $quarter"
    run tl-cpu "$TOY" --gil-trace=- $DEMO/cpu.toy threads $quarter
    indent "$WORK/tl-cpu.err"
    say "The same with --no-gil ('=' ran on a CPU; there is no lock to wait for):"
    show_cmd "$TOY --no-gil --gil-trace=- $DEMO/cpu.toy threads $quarter"
    run tl-nogil "$TOY" --no-gil --gil-trace=- $DEMO/cpu.toy threads $quarter
    indent "$WORK/tl-nogil.err"
    # The timelines' last line: "... N cores busy on average" (CPU time of
    # every thread over the run's length, from the threads' own CPU clocks).
    local busy_gil busy_nogil
    busy_gil=$(sed -n 's/.* \([0-9.]*\) cores busy on average.*/\1/p' "$WORK/tl-cpu.err")
    busy_nogil=$(sed -n 's/.* \([0-9.]*\) cores busy on average.*/\1/p' "$WORK/tl-nogil.err")
    if [ -n "$busy_gil" ] && [ -n "$busy_nogil" ]; then
        conclude "With the GIL the four threads kept $busy_gil cores busy on average: one runs" \
                 "at a time. Without it, $busy_nogil of this machine's $CORES cores" \
                 "(load average $(loadavg) shares them with other programs)."
    fi
    say "For Perfetto or chrome://tracing: $TOY --gil-trace=cpu.json $DEMO/cpu.toy threads $WIDTH"
}

# ---- 2. I/O-bound ------------------------------------------------------------------

part_io() {
    section "2. I/O-bound work: ten real downloads"
    say "A local web server (http.server, in a child process) waits $IO_DELAY s before each"
    say "answer, as a distant one would; urllib.request.urlopen fetches ten pages from it."
    show_cmd "$TOY $DEMO/io.toy sequential $IO_DELAY"
    run io-seq "$TOY" $DEMO/io.toy sequential "$IO_DELAY"
    show_cmd "$TOY $DEMO/io.toy threads $IO_DELAY"
    run io-thr "$TOY" $DEMO/io.toy threads "$IO_DELAY"
    local is it imax
    is=$(field io-seq sequential 2); it=$(field io-thr threads 2)
    if [ -n "$is" ] && [ -n "$it" ]; then
        imax=$(max "$is" "$it")
        chart "one after another" "$(fmt '%.3f' "$is")" s "$is" "$imax" " 1.00x"
        chart "10 threads" "$(fmt '%.3f' "$it")" s "$it" "$imax" "$(fmt '%5.2f' "$(calc "$is / $it")")x"
        if faster "$(calc "$is / $it")"; then
            conclude "Waiting for the network releases the GIL: the ten waits overlap, even on one core."
        else
            conclude "Only $(fmt '%.2f' "$(calc "$is / $it")")x here: the machine was too busy to start the threads quickly (load average $(loadavg))."
        fi
    else
        say "the I/O runs failed (exit $rc)"
    fi
    echo
    say "Who held the GIL during the threaded downloads (+ held briefly):"
    show_cmd "$TOY --gil-trace=- $DEMO/io.toy threads $IO_DELAY"
    run tl-io "$TOY" --gil-trace=- $DEMO/io.toy threads "$IO_DELAY"
    indent "$WORK/tl-io.err"
    conclude "Nobody holds the lock while the threads wait for their answers: they all wait at once."
}

# ---- 3. Costs of processes -----------------------------------------------------------

part_costs() {
    section "3. What a process costs compared with a thread"
    if [ $HAVE_MP = 0 ]; then
        say "skipped: import multiprocessing fails in this build"
        return
    fi
    local lt lp lmax
    show_cmd "$TOY $DEMO/costs.toy thread-latency 200"
    run lat-t "$TOY" $DEMO/costs.toy thread-latency 200
    show_cmd "$TOY $DEMO/costs.toy process-latency 50"
    run lat-p "$TOY" $DEMO/costs.toy process-latency 50
    lt=$(field lat-t thread-latency 1); lp=$(field lat-p process-latency 1)
    if [ -n "$lt" ] && [ -n "$lp" ]; then
        lt=$(calc "$lt * 1e6"); lp=$(calc "$lp * 1e6"); lmax=$(max "$lt" "$lp")
        say "Start one, wait for it to end (mean):"
        chart "thread" "$(fmt '%.0f' "$lt")" us "$lt" "$lmax"
        chart "process (fork)" "$(fmt '%.0f' "$lp")" us "$lp" "$lmax"
        conclude "A process takes $(fmt '%.0f' "$(calc "$lp / $lt")") times as long to start and reap as a thread."
    else
        say "the latency runs failed (exit $rc)"
    fi

    local mt mp mmax
    echo
    show_cmd "$TOY $DEMO/costs.toy memory 8"
    run mem "$TOY" $DEMO/costs.toy memory 8
    mt=$(field mem memory-threads 1); mp=$(field mem memory-processes 1)
    if [ -n "$mt" ] && [ -n "$mp" ] && [ "$mt" -ge 0 ] && [ "$mp" -ge 0 ]; then
        mmax=$(max "$mt" "$mp")
        say "Memory of 8 idle workers (threads: how much the process grew; processes: memory"
        say "private to each child, summed: pages it copied on write or allocated):"
        chart "8 threads" "$mt" KiB "$mt" "$mmax"
        chart "8 processes" "$mp" KiB "$mp" "$mmax"
        conclude "A process is a whole interpreter; merely touching an object writes its count and copies its page."
    else
        say "memory: not measurable here (needs /proc/PID/smaps_rollup)"
    fi

    local qt qp
    echo
    show_cmd "$TOY $DEMO/costs.toy queue 200000"
    run q "$TOY" $DEMO/costs.toy queue 200000
    qt=$(field q queue-thread 1); qp=$(field q queue-process 1)
    if [ -n "$qt" ] && [ -n "$qp" ]; then
        qt=$(calc "$qt * 1e3"); qp=$(calc "$qp * 1e3")
        say "A list of 200,000 ints handed to a worker, which appends one item to it:"
        chart "thread, queue.Queue" "$(fmt '%.3f' "$qt")" ms "$qt" "$qp" \
            "list now $(field q queue-thread 2) long here"
        chart "process, multiprocessing.Queue" "$(fmt '%.3f' "$qp")" ms "$qp" "$qp" \
            "list now $(field q queue-process 2) long here"
        conclude "Threads share the one list (the append shows); a process gets a copy, sent through a pipe."
    else
        say "the queue runs failed (exit $rc)"
    fi
}

# ---- 4. Why the GIL exists -----------------------------------------------------------

# race_run LABEL FLAGS...: run race_refcount.toy once and print one line about
# it; returns 1 when the count drifted, objects leaked or a race was caught.
race_run() {
    local label=$1 drift leaked verdict
    shift
    run race "$TOY" --stats "$@" "$RACE"
    drift=$(sed -n 's/^drift: //p' "$WORK/race.out")
    leaked=$(stat_of "$WORK/race.err" leaked)
    verdict=$(race_verdict "$WORK/race.err")
    printf '  %-18s %s\n' "$label" \
        "${verdict:-drift ${drift:-?}, leaked: ${leaked:-?}, anomalies: $(stat_of "$WORK/race.err" anomalies)}"
    [ "$rc" = 0 ] && [ "${drift:-x}" = 0 ] && [ "${leaked:-x}" = 0 ]
}

part_race() {
    section "4. Why the GIL exists: reference counts race without it"
    RACE=scripts/threads/race_refcount.toy
    if [ ! -f "$RACE" ]; then
        say "skipped: $RACE is missing"
        return
    fi
    say "Four threads take and drop references to one shared object, 8 million times in all."
    say "Every INCREF is matched by a DECREF, so its count must end where it started."
    show_cmd "$TOY --stats $RACE            (3 times)"
    show_cmd "$TOY --stats --no-gil $RACE   (3 times, up to 10 until a race shows)"
    local i bad_gil=0 bad_nogil=0 runs_nogil=0
    for i in 1 2 3; do
        race_run "GIL on, run $i" || bad_gil=$((bad_gil + 1))
    done
    for i in 1 2 3 4 5 6 7 8 9 10; do
        [ $i -gt 3 ] && [ $bad_nogil -gt 0 ] && break
        runs_nogil=$i
        race_run "--no-gil, run $i" --no-gil || bad_nogil=$((bad_nogil + 1))
    done
    echo
    say "Runs in which the count drifted, objects leaked or a freed object was touched:"
    chart "GIL on" "$bad_gil of 3" "" "$bad_gil" 3
    chart "--no-gil" "$bad_nogil of $runs_nogil" "" "$bad_nogil" "$runs_nogil"
    if [ "$bad_nogil" = 0 ]; then
        conclude "No race struck in $runs_nogil runs: races are a matter of timing; run it again."
        [ "$CORES" -lt 2 ] && say "(one core: threads never truly overlap, so races without the GIL are rare here)"
    else
        conclude "refcnt++ is read, add, write: two threads at once lose updates. The GIL makes them take turns."
    fi
}

# ---- 5. Stopping a stuck worker --------------------------------------------------------

part_kill() {
    section "5. A stuck process can be stopped; a stuck thread cannot"
    if [ $HAVE_MP = 1 ]; then
        show_cmd "$TOY $DEMO/kill.toy process"
        run kill "$TOY" $DEMO/kill.toy process
        local kt kk
        kt=$(field kill terminate 3); kk=$(field kill kill 3)
        if [ -n "$kt" ] && [ -n "$kk" ]; then
            kt=$(calc "$kt * 1e3"); kk=$(calc "$kk * 1e3")
            say "A child spinning in 'while True: pass', stopped by its parent after 0.2 s:"
            chart "p.terminate() (SIGTERM)" "$(fmt '%.1f' "$kt")" ms "$kt" 400 \
                "exitcode $(field kill terminate 2)"
            chart "p.kill() (SIGKILL)" "$(fmt '%.1f' "$kk")" ms "$kk" 400 "exitcode $(field kill kill 2)"
        else
            say "the process runs failed (exit $rc)"
        fi
    else
        say "processes: skipped (import multiprocessing fails in this build)"
    fi
    show_cmd "$TOY $DEMO/kill.toy thread"
    run kthr "$TOY" $DEMO/kill.toy thread
    chart "stuck thread" ">400" ms 400 400 \
        "alive: $(field kthr thread-alive-after-join-timeout 1); stop methods: $(field kthr thread-methods 1)"
    conclude "The OS can signal a process. A thread is part of one; Python has no way to kill it."
}

# ---- 6. Races with the GIL ---------------------------------------------------------------

# lost_row NAME MODE LABEL: a chart line for "RESULT MODE EXPECTED ACTUAL"
# in $WORK/NAME.out: the final count, drawn against the expected one.
lost_row() {
    local expected got
    expected=$(field "$1" "$2" 1); got=$(field "$1" "$2" 2)
    if [ -n "$got" ]; then
        chart "$3" "$got" "" "$got" "$expected" "$((expected - got)) of $expected"
    else
        printf '  %-30s %9s\n' "$3" "failed"
    fi
}

part_counter() {
    section "6. Races exist even with the GIL: counter += ..."
    say "The GIL changes hands only at switch points: calls, and the jumps back at the end"
    say "of a loop body. The loop bodies of two versions, from --dis:"
    show_cmd "$TOY --dis $DEMO/counter.toy"
    run dis "$TOY" --dis $DEMO/counter.toy
    local fn mode
    for fn in add_plain add_with_call; do
        say "$fn:"
        awk -v fn="$fn" '/^Disassembly of/ { on = index($0, "code object " fn " ") > 0; next }
            on && /LOAD_GLOBAL.*\(counter\)/ { body = 1 }
            on && body { print "    " $0 }
            on && body && /STORE_GLOBAL.*\(counter\)/ { body = 0 }' "$WORK/dis.out"
    done
    say "In add_with_call a CALL sits between the load of counter and its store: a switch"
    say "there lets other threads add to counter, and the store then overwrites their work."
    echo
    for mode in plain call lock; do
        show_cmd "$TOY --switch-interval=0.01 $DEMO/counter.toy $mode"
        run "ctr-$mode" "$TOY" --switch-interval=0.01 $DEMO/counter.toy $mode
    done
    chart_header "final" "lost"
    lost_row ctr-plain plain "counter += 1"
    lost_row ctr-call call "counter += step()"
    lost_row ctr-lock lock "with lock: counter += step()"
    conclude "The GIL keeps the interpreter's own counts exact, not your read-modify-write: use a Lock."
    say "(counter += 1 loses nothing only because no switch point falls inside it: an accident"
    say " of where the switch points are, not a promise)"
}

# ---- 7. Processes sharing memory explicitly ------------------------------------------------

part_shared() {
    section "7. Processes share memory only when asked: multiprocessing.Value"
    if [ $HAVE_MP = 0 ]; then
        say "processes: skipped (import multiprocessing fails in this build)"
        return
    fi
    local script=scripts/processes/shared_counter.toy
    say "Four processes add 2000 each to one Value('i') in shared memory. v.value += 1"
    say "reads, then writes: two processes on two cores can read the same number."
    show_cmd "$TOY $script"
    run shared "$TOY" $script
    chart_header "final" "lost"
    lost_row shared unlocked "v.value += 1"
    lost_row shared locked "with lock: v.value += 1"
    conclude "Shared memory has the races of threads, without a GIL to hide any: hold the lock."
}

# ---- 8. Python 2's GIL on several cores -------------------------------------------------

# gil_line FILE THREAD FIELD: from a --stats block, a number of THREAD's
# lines: acquisitions, handovers, or (from the line under it) wakeups, p50,
# p99, max, futile.
gil_line() {
    awk -v who="$2" -v want="$3" '
        $1 == who && $2 == "acquisitions" {
            found = 1
            if (want == "acquisitions") { print $3; exit }
            if (want == "handovers") { print $NF; exit }
            next
        }
        found && $1 == "wake-ups" {
            if (want == "wakeups") print $2; else if (want == "p50") print $4
            else if (want == "p99") print $7; else if (want == "max") print $10
            else if (want == "futile") print $14
            exit
        }
        found { if (want == "futile" || want == "wakeups") print 0; exit }' "$1"
}

oldgil_run() { # KEY POLICY MODE
    run "old-$1" "$TOY" --stats --gil="$2" $DEMO/oldgil.toy "$3" "$OLD_N"
    printf -v "T_$1" '%s' "$(field "old-$1" "$3" 2)"
}

part_oldgil() {
    section "8. Python 2's GIL: two threads slower than one, on several cores"
    run ocal "$TOY" $DEMO/oldgil.toy calibrate "$(calc "$CPU_SECONDS / 2")"
    OLD_N=$(cat "$WORK/ocal.out")
    case $OLD_N in '' | *[!0-9]*) OLD_N=5000000 ;; esac
    say "Beazley's experiment (2010): count down from $OLD_N twice, one count after the other,"
    say "then in two threads at once. --gil=ticks is Python 2's lock: drop it and ask again"
    say "at once every 100 switch points; --gil=modern (the default) is today's."
    local p m
    for p in modern ticks; do
        for m in sequential threads; do
            show_cmd "$TOY --stats --gil=$p $DEMO/oldgil.toy $m $OLD_N"
            oldgil_run "${p}_$m" "$p" "$m"
        done
    done
    if [ -z "$T_modern_sequential" ] || [ -z "$T_ticks_sequential" ]; then
        say "the runs failed (exit $rc)"
        return
    fi
    local omax rm rt
    omax=$(max "$T_modern_sequential" "${T_modern_threads:-0}" "$T_ticks_sequential" "${T_ticks_threads:-0}")
    echo
    chart_header "time" "threads / one after the other"
    chart "modern: one after the other" "$(fmt '%.3f' "$T_modern_sequential")" s "$T_modern_sequential" "$omax"
    rm=$(calc "${T_modern_threads:-0} / $T_modern_sequential")
    chart "modern: 2 threads" "$(fmt '%.3f' "${T_modern_threads:-0}")" s "${T_modern_threads:-0}" "$omax" "$(fmt '%5.2f' "$rm")x"
    chart "ticks: one after the other" "$(fmt '%.3f' "$T_ticks_sequential")" s "$T_ticks_sequential" "$omax"
    rt=$(calc "${T_ticks_threads:-0} / $T_ticks_sequential")
    chart "ticks: 2 threads" "$(fmt '%.3f' "${T_ticks_threads:-0}")" s "${T_ticks_threads:-0}" "$omax" "$(fmt '%5.2f' "$rt")x"
    local takes handovers futile
    takes=$(gil_line "$WORK/old-ticks_threads.err" total acquisitions)
    handovers=$(gil_line "$WORK/old-ticks_threads.err" total handovers)
    futile=$(gil_line "$WORK/old-ticks_threads.err" total futile)
    say "From --stats of the two ticks threads: the lock was taken ${takes:-?} times, and only"
    say "${handovers:-?} of them from the other thread; ${futile:-?} times a waiter woke up to find it"
    say "taken again."
    if [ "$CORES" -le 1 ]; then
        conclude "One core: the threads never run at the same time, so the old lock has nobody to fight ($(fmt '%.2f' "$rt")x)."
    elif awk -v r="$rt" 'BEGIN { exit !(r >= 1.15) }'; then
        conclude "Python 2's lock: two threads took $(fmt '%.2f' "$rt")x as long as one after the other. Each of"
        say "   the ${takes:-?} releases signals the waiting thread, and the releasing thread asks again at"
        say "   once and nearly always wins (${handovers:-?} handovers): the signalling is pure cost."
        awk -v f="${futile:-0}" -v t="${takes:-1}" 'BEGIN { exit !(f * 100 < t) }' &&
            say "   (With the load average at $(loadavg) the waiter seldom got a core to wake on; on an idle"
        awk -v f="${futile:-0}" -v t="${takes:-1}" 'BEGIN { exit !(f * 100 < t) }' &&
            say "   machine it wakes on another core each time and loses: Beazley measured 2x.)"
    else
        conclude "Python 2's lock: $(fmt '%.2f' "$rt")x here, not the 2x Beazley measured on an idle machine. The"
        say "   releasing thread took the lock straight back all but ${handovers:-?} times in ${takes:-?}, but with the"
        say "   load average at $(loadavg) on $CORES cores the waiter seldom got a core to wake on and fight."
    fi
    if awk -v r="$rm" 'BEGIN { exit !(r < 0.9) }'; then
        conclude "Today's lock: $(fmt '%.2f' "$rm")x: the threads take turns without fighting. (Faster than one"
        say "   thread only because the machine is busy, load average $(loadavg): two threads get two shares of"
        say "   the cores, and while the OS keeps one off its core the other can take the lock.)"
    elif awk -v r="$rm" 'BEGIN { exit !(r <= 1.15) }'; then
        conclude "Today's lock: $(fmt '%.2f' "$rm")x: a waiter asks after 5 ms and the holder must hand over, so"
        say "   the threads take turns without fighting: no faster than one thread, but no slower."
    else
        conclude "Today's lock: $(fmt '%.2f' "$rm")x here: the threads take turns, but busy cores (load average"
        say "   $(loadavg)) delay each handover."
    fi
}

# ---- 9. The convoy effect ------------------------------------------------------------------

convoy_sleeps() { # KEY BESIDE POLICY
    run "sl-$1" "$TOY" --stats --gil="$3" $DEMO/convoy.toy sleeps "$2" "$SLEEPS"
    printf -v "S_$1" '%s' "$(field "sl-$1" sleeps 3)"
    printf -v "P99_$1" '%s' "$(field "sl-$1" sleeps 5)"
}

convoy_echo() { # KEY BESIDE POLICY
    run "ec-$1" "$TOY" --gil="$3" $DEMO/convoy.toy echo "$2" "$ECHO_SECONDS"
    printf -v "R_$1" '%s' "$(field "ec-$1" echo 4)"
}

part_convoy() {
    section "9. The convoy effect: waiting for I/O beside a CPU-bound thread"
    say "A thread that comes back from a blocking call needs the GIL again. Beside a thread"
    say "that computes without pause, today's lock makes it wait a whole switch interval"
    say "(5 ms) before it may even ask. --gil=priority hands the lock to a thread coming back"
    say "from I/O at the holder's next switch point instead."
    local key
    show_cmd "$TOY --stats $DEMO/convoy.toy sleeps alone $SLEEPS"
    convoy_sleeps alone alone modern
    show_cmd "$TOY --stats --gil=modern $DEMO/convoy.toy sleeps cpu $SLEEPS"
    convoy_sleeps modern cpu modern
    show_cmd "$TOY --stats --gil=priority $DEMO/convoy.toy sleeps cpu $SLEEPS"
    convoy_sleeps priority cpu priority
    if [ -z "$S_alone" ] || [ -z "$S_modern" ] || [ -z "$S_priority" ]; then
        say "the sleep runs failed (exit $rc)"
    else
        local smax
        smax=$(max "$S_alone" "$S_modern" "$S_priority")
        echo
        say "$SLEEPS sleeps of 1 ms:"
        chart_header "time" "slowdown, GIL wake-up p50 / p99 (--stats)"
        for key in alone modern priority; do
            local t f lbl
            t=$(get "S_$key"); f="$WORK/sl-$key.err"
            case $key in
                alone) lbl="alone" ;;
                modern) lbl="beside a CPU thread, modern" ;;
                priority) lbl="beside a CPU thread, priority" ;;
            esac
            chart "$lbl" "$(fmt '%.3f' "$t")" s "$t" "$smax" \
                "$(fmt '%5.2f' "$(calc "$t / $S_alone")")x  $(gil_line "$f" MainThread p50) / $(gil_line "$f" MainThread p99) ms"
        done
        local slow_m slow_p
        slow_m=$(calc "$S_modern / $S_alone"); slow_p=$(calc "$S_priority / $S_alone")
        conclude "Today's lock: the sleeps took $(fmt '%.1f' "$slow_m")x as long beside a CPU-bound thread; each wake-up"
        say "   waited for the GIL ($(gil_line "$WORK/sl-modern.err" MainThread p99) ms at the 99th percentile): that is the convoy."
        local p50p p99p
        p50p=$(gil_line "$WORK/sl-priority.err" MainThread p50)
        p99p=$(gil_line "$WORK/sl-priority.err" MainThread p99)
        if awk -v p="${p99p:-99}" 'BEGIN { exit !(p <= 1) }'; then
            conclude "Priority: $(fmt '%.2f' "$slow_p")x, wake-ups ${p99p} ms at the 99th percentile: the I/O thread no longer queues."
        else
            conclude "Priority: $(fmt '%.2f' "$slow_p")x; the median wake-up ${p50p:-?} ms: the I/O thread no longer queues. The slowest"
            say "   (${p99p:-?} ms at the 99th percentile) waited for the OS to give the lock's holder a core"
            say "   back, so that it could reach a switch point and let go (load average $(loadavg))."
        fi
    fi

    echo
    say "An echo server thread and a client process sending 64-byte messages for $ECHO_SECONDS s:"
    show_cmd "$TOY $DEMO/convoy.toy echo alone $ECHO_SECONDS"
    convoy_echo alone alone modern
    show_cmd "$TOY --gil=modern $DEMO/convoy.toy echo cpu $ECHO_SECONDS"
    convoy_echo modern cpu modern
    show_cmd "$TOY --gil=priority $DEMO/convoy.toy echo cpu $ECHO_SECONDS"
    convoy_echo priority cpu priority
    show_cmd "$TOY $DEMO/convoy.toy echo process $ECHO_SECONDS"
    convoy_echo process process modern
    if [ -z "$R_alone" ]; then
        say "the echo runs failed (exit $rc)"
        return
    fi
    local rmax
    rmax=$(max "$R_alone" "${R_modern:-0}" "${R_priority:-0}" "${R_process:-0}")
    chart_header "req/s" "of alone"
    for key in alone modern priority process; do
        local r lbl
        r=$(get "R_$key")
        case $key in
            alone) lbl="alone" ;;
            modern) lbl="beside a CPU thread, modern" ;;
            priority) lbl="beside a CPU thread, priority" ;;
            process) lbl="beside a CPU process" ;;
        esac
        if [ -n "$r" ]; then
            chart "$lbl" "$(fmt '%.0f' "$r")" "" "$r" "$rmax" "$(fmt '%5.1f' "$(calc "100 * $r / $R_alone")")%"
        else
            printf '  %-30s %9s\n' "$lbl" "failed"
        fi
    done
    local pm pp
    pm=$(calc "100 * ${R_modern:-0} / $R_alone"); pp=$(calc "100 * ${R_priority:-0} / $R_alone")
    if awk -v m="$pm" 'BEGIN { exit !(m < 20) }'; then
        conclude "Today's lock: beside a CPU-bound thread the server answers $(fmt '%.1f' "$pm")% as many requests: each"
        say "   one waits for the GIL twice (after recv, after send), a switch interval each time."
    else
        conclude "Today's lock: $(fmt '%.1f' "$pm")% of alone here, not the collapse an idle machine shows (Beazley:"
        say "   30,000 requests/s down to 100): with the load average at $(loadavg), the CPU-bound thread is"
        say "   itself often off the cores, and the server gets the lock back before it can wake to take it."
    fi
    conclude "Priority: $(fmt '%.1f' "$pp")%. Another process has a GIL of its own: $(fmt '%.1f' "$(calc "100 * ${R_process:-0} / $R_alone")")%."
}

# ---- 10. The two outcomes of a racing count -----------------------------------------------

# outcome_run MODE: run race_outcomes.toy MODE under --no-gil once; prints
# what happened: "freed" (the race detector caught a use after free),
# "leaked N" (objects left over at exit), "exact" or "failed".
outcome_run() {
    run outcome "$TOY" --stats --no-gil $OUTCOMES "$1"
    local leaked
    leaked=$(stat_of "$WORK/outcome.err" leaked)
    if [ "$rc" = 3 ] && [ -n "$(race_verdict "$WORK/outcome.err")" ]; then
        echo freed
    elif [ "$rc" = 0 ] && [ -n "$leaked" ] && [ "$leaked" != 0 ]; then
        echo "leaked $leaked"
    elif [ "$rc" = 0 ]; then
        echo exact
    else
        echo failed
    fi
}

part_race_outcomes() {
    section "10. The two outcomes of a racing count: freed too early, or never"
    OUTCOMES=scripts/threads/race_outcomes.toy
    say "Four threads each store (INCREF) or drop (DECREF) 2 million references to one shared"
    say "object, with --no-gil, so that only one kind of update races at a time."
    say "  increfs: the threads store at once, main drops alone. A lost INCREF leaves the count"
    say "           too low: it reaches zero while lists still hold the object (use after free)."
    say "  decrefs: main stores alone, the threads drop at once. A lost DECREF leaves the count"
    say "           too high: it never reaches zero, and --stats counts the object as leaked."
    local mode i n=$OUTCOME_RUNS
    for mode in increfs decrefs; do
        show_cmd "$TOY --stats --no-gil $OUTCOMES $mode   ($n times)"
        local freed=0 leaked=0 exact=0 other=0 objs="" r
        for i in $(seq 1 "$n"); do
            r=$(outcome_run "$mode")
            case $r in
                freed) freed=$((freed + 1)) ;;
                leaked*) leaked=$((leaked + 1)); objs=${r#leaked } ;;
                exact) exact=$((exact + 1)) ;;
                *) other=$((other + 1)) ;;
            esac
        done
        printf -v "FREED_$mode" '%s' "$freed"
        printf -v "LEAKED_$mode" '%s' "$leaked"
        printf -v "EXACT_$mode" '%s' "$exact"
        printf -v "OBJS_$mode" '%s' "$objs"
        [ "$other" -gt 0 ] && say "($other run(s) of $mode ended otherwise: exit $rc)"
    done
    echo
    say "How the $n runs of each ended:"
    chart_header "runs" "the other endings"
    chart "increfs race: freed in use" "$FREED_increfs of $n" "" "$FREED_increfs" "$n" \
        "leaked in $LEAKED_increfs, exact in $EXACT_increfs"
    chart "decrefs race: leaked" "$LEAKED_decrefs of $n" "" "$LEAKED_decrefs" "$n" \
        "freed in use in $FREED_decrefs, exact in $EXACT_decrefs"
    if [ "$FREED_increfs" -gt 0 ] && [ "$LEAKED_decrefs" -gt 0 ]; then
        conclude "Racing increments freed a live object in $FREED_increfs of $n runs; racing decrements"
        say "   leaked it in $LEAKED_decrefs of $n (leaked: $OBJS_decrefs, the object and what it holds)."
        say "   The same read-add-write race, two opposite failures: that is what the GIL prevents."
    else
        conclude "Races need two threads on two cores at the same instant: here increments freed early"
        say "   in $FREED_increfs of $n runs, decrements leaked in $LEAKED_decrefs of $n (load average $(loadavg))."
        [ "$CORES" -lt 2 ] && say "   (one core: threads never truly overlap, so races are rare here)"
    fi
}

# ---- 11. Cycles: the blind spot of counting --------------------------------------------------

part_cycles() {
    section "11. Cycles: what counting cannot free, the collector can, a weak reference avoids"
    local script=scripts/cycle_leak.toy mode label found leaked freed
    say "A node whose list holds the node itself: when the last outside reference goes, its"
    say "count is still 1, and counting alone never frees it."
    for mode in nogc gc weak; do
        case $mode in
            nogc) label="collector disabled"; show_cmd "$TOY --stats $script nogc" ;;
            gc) label="collector (gc.collect())"; show_cmd "$TOY --stats $script" ;;
            weak) label="weak reference, no cycle"; show_cmd "$TOY --stats $script weak" ;;
        esac
        run "cyc-$mode" "$TOY" --stats $script $([ $mode = gc ] || echo $mode)
        found=$(sed -n 's/^gc.collect() found \([0-9]*\).*/\1/p' "$WORK/cyc-$mode.out")
        freed=$(sed -n 's/^node freed when make_cycle returned: //p' "$WORK/cyc-$mode.out")
        leaked=$(stat_of "$WORK/cyc-$mode.err" leaked)
        printf -v "CYC_$mode" '%s' "${leaked:-?}"
        printf -v "FOUND_$mode" '%s' "${found:--}"
        printf -v "FREED_$mode" '%s' "${freed:-?}"
    done
    local lmax
    lmax=$(max "${CYC_nogc//\?/0}" 1)
    echo
    chart_header "leaked" "node freed on return, gc.collect() found"
    for mode in nogc gc weak; do
        case $mode in
            nogc) label="collector disabled" ;;
            gc) label="collector (gc.collect())" ;;
            weak) label="weak reference, no cycle" ;;
        esac
        chart "$label" "$(get "CYC_$mode")" "" "$(get "CYC_$mode" | tr -c '0-9\n' 0)" "$lmax" \
            "$(get "FREED_$mode"), $(get "FOUND_$mode")"
    done
    conclude "With the collector off, $CYC_nogc objects were never freed (the node, its dict and list,"
    say "   and the class Node's own cycles). gc.collect() found ${FOUND_gc} unreachable objects and freed"
    say "   them: leaked $CYC_gc. A weak back link takes no count: the node died on return"
    say "   (${FREED_weak}), the collector found ${FOUND_weak}, leaked $CYC_weak."
}

# ---- 12. Copy-on-write after fork ------------------------------------------------------------

# cow_run KEY BINARY FREEZE WORK: the average Private_Dirty (MB) of the four
# children of one run, in MB_KEY (empty when the run failed).
cow_run() {
    run "cow-$1" "$2" $DEMO/cow.toy "$3" "$4" "$COW_ROWS"
    printf -v "KB_$1" '%s' "$(awk '$1 == "RESULT" && $2 == "child" { s += $3; n++ }
        END { if (n) printf "%.0f", s / n }' "$WORK/cow-$1.out")"
    local kb
    kb=$(get "KB_$1")
    printf -v "MB_$1" '%s' "${kb:+$(fmt '%.1f' "$(calc "$kb / 1024")")}"
}

part_cow() {
    section "12. Copy-on-write after fork: reading writes the counts"
    if [ ! -r /proc/self/smaps_rollup ]; then
        say "skipped: /proc/self/smaps_rollup is missing (needs Linux 4.14 or later): the"
        say "children's private memory cannot be measured here."
        return
    fi
    local rows=$COW_ROWS
    say "A parent builds $rows lists of 10 ints ($((rows * 10)) ints), then forks four children."
    say "A child shares its parent's pages until one of them writes to a page; then the kernel"
    say "copies it. Each child reports its private, written memory (Private_Dirty in"
    say "/proc/self/smaps_rollup) after its work; the chart shows the average of the four."
    say "./toy-immortal is ./toy built with TOY_REFCOUNT_SKIP_IMMORTAL: its INCREF/DECREF never"
    say "write an immortal count (not the default: 3-12% slower; docs/internals.md)."
    local key
    show_cmd "$TOY $DEMO/cow.toy FREEZE WORK $rows   (FREEZE: plain|freeze|immortal, WORK: idle|collect|read)"
    cow_run idle "$TOY" plain idle
    cow_run collect "$TOY" plain collect
    cow_run fcollect "$TOY" freeze collect
    cow_run read "$TOY" plain read
    cow_run fread "$TOY" freeze read
    cow_run iread "$TOY" immortal read
    if [ -x "$TOY_IMMORTAL" ]; then
        show_cmd "$TOY_IMMORTAL $DEMO/cow.toy immortal read $rows"
        cow_run sread "$TOY_IMMORTAL" immortal read
    else
        MB_sread=""
        say "($TOY_IMMORTAL is not built: make toy-immortal; its row is skipped)"
    fi
    if grep -q nosmaps "$WORK/cow-idle.out" 2> /dev/null || [ -z "$MB_idle" ] || [ -z "$MB_read" ]; then
        say "the runs failed (exit $rc): $(head -c 200 "$WORK/cow-read.err")"
        return
    fi
    local mmax
    mmax=$(max "$MB_idle" "${MB_collect:-0}" "${MB_fcollect:-0}" "$MB_read" "${MB_fread:-0}" \
        "${MB_iread:-0}" "${MB_sread:-0}")
    echo
    chart_header "MB" "private per child"
    for key in idle collect fcollect read fread iread sread; do
        local mb lbl
        mb=$(get "MB_$key")
        case $key in
            idle) lbl="idle child" ;;
            collect) lbl="gc.collect()" ;;
            fcollect) lbl="gc.collect(), frozen" ;;
            read) lbl="read all" ;;
            fread) lbl="read all, frozen" ;;
            iread) lbl="read, immortal, ./toy" ;;
            sread) lbl="read, immortal, toy-immortal" ;;
        esac
        if [ -n "$mb" ]; then
            chart "$lbl" "$mb" MB "$mb" "$mmax"
        else
            printf '  %-30s %9s\n' "$lbl" "-"
        fi
    done
    conclude "Only reading the data made each child own $MB_read MB, against $MB_idle MB for an idle one:"
    say "   every INCREF/DECREF writes a count, and the page holding it is copied."
    conclude "gc.freeze() keeps the collector off the frozen objects (gc.collect(): ${MB_collect:-?} MB, frozen:"
    say "   ${MB_fcollect:-?} MB) but not the counts: reading still costs ${MB_fread:-?} MB."
    if [ -n "$MB_sread" ]; then
        conclude "Immortal objects still have their counts written by ./toy (${MB_iread:-?} MB); a build that"
        say "   skips immortal counts leaves the pages shared: $MB_sread MB, $(fmt '%.0f' "$(calc "$KB_read / ($KB_sread > 0 ? $KB_sread : 1)")")x less than plain counts."
    fi
}

# ---- 13. Removing the GIL properly ------------------------------------------------------

# ft_run KEY MODE CMD...: cpu.toy MODE on the job under CMD; T_KEY the
# best of its runs so far, W_KEY the worst (a run that failed leaves both
# as they were).
ft_run() {
    local key=$1 mode=$2 t best worst
    shift 2
    run "ft-$key" "$@" $DEMO/cpu.toy "$mode" "$FT_WIDTH"
    t=$(field "ft-$key" "$mode" 2)
    [ -n "$t" ] || return
    best=$(get "T_$key"); worst=$(get "W_$key")
    if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then
        printf -v "T_$key" '%s' "$t"
    fi
    if [ -z "$worst" ] || awk -v a="$t" -v b="$worst" 'BEGIN { exit !(a > b) }'; then
        printf -v "W_$key" '%s' "$t"
    fi
}

# ft_spread: how far apart the sequential runs of the GIL build and of
# toy-ft came out (slowest / fastest, the larger of the two, as a
# percentage), when that is more than 10%: the same program on the same
# build, so all of it is the machine. A cost smaller than that spread is
# within the noise.
ft_spread() {
    local key spread worst=0
    for key in ftgil_seq ftft_seq; do
        [ -n "$(get "T_$key")" ] && [ -n "$(get "W_$key")" ] || continue
        spread=$(calc "($(get "W_$key") / $(get "T_$key") - 1) * 100")
        worst=$(max "$worst" "$spread")
    done
    awk -v w="$worst" 'BEGIN { exit !(w > 10) }' && fmt '%.0f' "$worst"
}

# ft_counts LABEL TRIES CMD...: are the counts exact under CMD? Runs
# race_refcount.toy up to TRIES times, stopping at the first wrong run;
# prints "exact" or what went wrong.
ft_counts() {
    local tries=$2 i drift leaked verdict
    shift 2
    for ((i = 1; i <= tries; i++)); do
        run ftrace "$@" --stats scripts/threads/race_refcount.toy
        drift=$(sed -n 's/^drift: //p' "$WORK/ftrace.out")
        leaked=$(stat_of "$WORK/ftrace.err" leaked)
        verdict=$(race_verdict "$WORK/ftrace.err")
        if [ -n "$verdict" ]; then echo "no: run $i $verdict"; return; fi
        if [ "$rc" != 0 ]; then echo "no: run $i died (exit $rc)"; return; fi
        if [ "${drift:-x}" != 0 ] || [ "${leaked:-x}" != 0 ]; then
            echo "no: run $i drift ${drift:-?}, leaked ${leaked:-?}"; return
        fi
    done
    echo "yes ($tries of $tries runs exact)"
}

# ft_row LABEL SEQ_KEY THR_KEY COUNTS: one row of the table.
ft_row() {
    local seq thr cost sp
    seq=$(get "T_$2"); thr=$(get "T_$3")
    if [ -z "$seq" ] || [ -z "$thr" ]; then
        printf '  %-30s %9s     %s\n' "$1" "-" "did not finish (exit $rc); counts: $4"
        return
    fi
    cost=$(calc "$seq / $T_ftgil_seq"); sp=$(calc "$seq / $thr")
    printf '  %-30s %8sx %8sx %s %s\n' "$1" "$(fmt '%.2f' "$cost")" "$(fmt '%.2f' "$sp")" \
        "$(bar "$sp" "$FT_IDEAL")" "$4"
}

part_freethreaded() {
    section "13. Removing the GIL properly: the free-threaded build"
    local dir ft atomic
    dir=$(dirname "$TOY"); ft=$dir/toy-ft; atomic=$dir/toy-atomic
    if [ ! -x "$ft" ] || [ ! -x "$atomic" ]; then
        say "skipped: $ft or $atomic is missing (make toy-ft toy-atomic)"
        return
    fi
    say "--no-gil only switches the lock off: the counts race (part 4). Three ways to count"
    say "references without a lock, each running the CPU-bound job of part 1 on one thread and"
    say "on four, and race_refcount.toy (part 4) for whether the counts stay exact:"
    say "  toy-atomic  every INCREF/DECREF an atomic read-modify-write, nothing else changed"
    say "  toy-ft      immortal objects (never counted), biased counts (the owner thread counts"
    say "              without atomics, others atomically), a lock in each list, dict and set"
    FT_WIDTH=${WIDTH:-}   # part 1's job, when it ran
    if [ -z "$FT_WIDTH" ]; then
        run calibrate "$TOY" $DEMO/cpu.toy calibrate "$CPU_SECONDS"
        FT_WIDTH=$(cat "$WORK/calibrate.out")
    fi
    case $FT_WIDTH in '' | *[!0-9]*) FT_WIDTH=160000 ;; esac
    FT_IDEAL=$((CORES < 4 ? CORES : 4))
    [ "$FT_IDEAL" -lt 1 ] && FT_IDEAL=1
    local key c_gil c_nogil c_atomic c_ft
    show_cmd "$TOY $DEMO/cpu.toy sequential|threads $FT_WIDTH   (each build, best of 3)"
    [ $HAVE_MP = 1 ] && show_cmd "$TOY $DEMO/cpu.toy processes $FT_WIDTH   (best of 3)"
    # Alternate the builds run by run so that a busy moment hurts all alike,
    # and keep each one's best of 3 rounds: one round alone, on a shared
    # machine, has read 1.5x for four threads under the GIL.
    local round mode tag
    # The same pieces in 4 processes of the GIL build take turns with them
    # when multiprocessing works: sharing nothing, they show what the cores
    # give this work at that moment, on a shared machine often less than 2x.
    for key in gil nogil atomic ft procs; do
        printf -v "T_ft${key}_seq" ''; printf -v "T_ft${key}_thr" ''
        printf -v "W_ft${key}_seq" ''; printf -v "W_ft${key}_thr" ''
    done
    for round in 1 2 3; do
        for mode in sequential threads; do
            tag=seq; [ $mode = threads ] && tag=thr
            ft_run "ftgil_$tag" $mode "$TOY"
            ft_run "ftnogil_$tag" $mode "$TOY" --no-gil
            ft_run "ftatomic_$tag" $mode "$atomic" --no-gil --no-race-detector
            ft_run "ftft_$tag" $mode "$ft"
        done
        [ $HAVE_MP = 1 ] && ft_run ftprocs_thr processes "$TOY"
    done
    if [ -z "$T_ftgil_seq" ]; then
        say "the sequential run under the GIL failed (exit $rc): nothing to compare with"
        return
    fi
    show_cmd "<each build> --stats scripts/threads/race_refcount.toy   (3 times; --no-gil up to 5)"
    c_gil=$(ft_counts gil 3 "$TOY")
    c_nogil=$(ft_counts nogil 5 "$TOY" --no-gil)
    c_atomic=$(ft_counts atomic 3 "$atomic" --no-gil)
    c_ft=$(ft_counts ft 3 "$ft")
    echo
    printf '  %-30s %9s %9s %-*s %s\n' "" "1 thread" "4 threads" "$BAR_WIDTH" "(speed-up, ${FT_IDEAL}x = all $FT_IDEAL cores)" "counts exact"
    ft_row "GIL, plain counts (toy)" ftgil_seq ftgil_thr "$c_gil"
    ft_row "no lock, plain (--no-gil)" ftnogil_seq ftnogil_thr "$c_nogil"
    ft_row "no lock, atomic (toy-atomic)" ftatomic_seq ftatomic_thr "$c_atomic"
    ft_row "free-threaded (toy-ft)" ftft_seq ftft_thr "$c_ft"
    [ $HAVE_MP = 1 ] && ft_row "4 processes, GIL each (toy)" ftgil_seq ftprocs_thr "(nothing shared)"
    say "(1 thread: time relative to the GIL build; 4 threads: sequential time / threaded time)"
    ft_conclude
    ft_lessons "$ft"
}

ft_conclude() {
    local sp_ft sp_atomic cost_ft cost_atomic spread
    [ -n "$T_ftft_seq" ] && [ -n "$T_ftft_thr" ] || return
    sp_ft=$(calc "$T_ftft_seq / $T_ftft_thr"); cost_ft=$(calc "($T_ftft_seq / $T_ftgil_seq - 1) * 100")
    conclude "toy-ft runs the 4 threads at once: $(fmt '%.2f' "$sp_ft")x, with one thread $(fmt '%+.0f' "$cost_ft")% against the GIL build."
    spread=$(ft_spread)
    if [ -n "$spread" ]; then
        say "   (The same build's runs of one thread came out up to $spread% apart here: other"
        say "   programs were using this machine, so a cost smaller than that is noise. Rerun"
        say "   make demo on a quieter machine, or see make bench-ft, for a closer figure.)"
    fi
    if [ -n "$T_ftatomic_seq" ] && [ -n "$T_ftatomic_thr" ]; then
        sp_atomic=$(calc "$T_ftatomic_seq / $T_ftatomic_thr")
        cost_atomic=$(calc "($T_ftatomic_seq / $T_ftgil_seq - 1) * 100")
        say "   Atomic counts are exact too, but cost $(fmt '%+.0f' "$cost_atomic")% on one thread, and the threads"
        say "   fight over the counts of the objects they share (small ints, constants, the"
        say "   function): $(fmt '%.2f' "$sp_atomic")x. Immortal objects are never counted and biased counts"
        say "   stay in the owner's cache: that is what CPython 3.13t does (PEP 683, PEP 703)."
    fi
    ft_against_processes "$sp_ft"
    faster "$sp_ft" || say "   (busy cores, load average $(loadavg), keep the parallel rows down here)"
    # No job runs more than FT_IDEAL times faster on FT_IDEAL cores, and
    # the GIL's threads take turns, so no faster than one: a speed-up above
    # either means other programs slowed the sequential runs.
    local why="" sp_gil
    if awk -v s="$sp_ft" -v c="$FT_IDEAL" 'BEGIN { exit !(s > c * 1.1) }'; then
        why="More than the ${FT_IDEAL}x that $FT_IDEAL cores allow"
    elif [ -n "$T_ftgil_thr" ]; then
        sp_gil=$(calc "$T_ftgil_seq / $T_ftgil_thr")
        awk -v s="$sp_gil" 'BEGIN { exit !(s > 1.1) }' &&
            why="The GIL build's threads take turns, yet read $(fmt '%.2f' "$sp_gil")x"
    fi
    if [ -n "$why" ]; then
        say "   ($why: other programs took the cores during"
        say "   the sequential runs (load average $(loadavg)), so the other ratios of this table"
        say "   may be off too. Run make demo again on a quieter machine for numbers to trust.)"
    fi
}

# ft_against_processes SPEEDUP_FT: toy-ft's speed-up beside that of the
# 4 processes, which share nothing: what the cores gave at that moment.
ft_against_processes() {
    local sp_procs share
    [ -n "${T_ftprocs_thr:-}" ] || return
    sp_procs=$(calc "$T_ftgil_seq / $T_ftprocs_thr")
    share=$(calc "$1 / $sp_procs * 100")
    say "   4 processes of the GIL build, sharing nothing, read $(fmt '%.2f' "$sp_procs")x in the same rounds:"
    if awk -v p="$share" 'BEGIN { exit !(p >= 90) }'; then
        say "   that is what the cores gave this work, and toy-ft's threads kept up ($(fmt '%.0f' "$share")%)."
    else
        say "   that is what the cores gave this work; toy-ft's threads got $(fmt '%.0f' "$share")% of it."
    fi
}

ft_lessons() {
    local ft=$1
    echo
    say "Safe for the interpreter is not safe for your code. Four threads, in toy-ft:"
    show_cmd "$ft $DEMO/shared_list.toy"
    run ftlist "$ft" $DEMO/shared_list.toy
    show_cmd "$ft $DEMO/counter.toy plain|lock"
    run ftctr-plain "$ft" $DEMO/counter.toy plain
    run ftctr-lock "$ft" $DEMO/counter.toy lock
    chart_header "final" "lost"
    lost_row ftlist append "shared.append(i)"
    lost_row ftctr-plain plain "counter += 1"
    lost_row ftctr-lock lock "with lock: counter += step()"
    conclude "The list's own lock keeps every append. counter += 1 is still load, add, store,"
    say "   and now nothing at all stops another thread between them: hold a Lock."
}

# ---- Summary ---------------------------------------------------------------------------

part_summary() {
    section "What the numbers mean on this machine"
    if [ "$CORES" -le 1 ]; then
        say "This machine has 1 core. Only one thread or process can run at any instant, so"
        say "parallel speed-ups (processes, native threads, --no-gil) cannot appear here:"
        say "expect about 1.0x for all of them. The I/O-bound speed-up still shows, because"
        say "waiting needs no core."
    else
        local ideal=$((CORES < 4 ? CORES : 4))
        say "This machine has $CORES cores: of the 4 parts at most $ideal can run at a time, so the"
        say "best speed-up of the CPU-bound job is about ${ideal}x. Threads under the GIL stay near 1x"
        say "whatever the number of cores; processes and native code can approach ${ideal}x."
        say "Other programs running at the same time take cores away and lower these numbers:"
        say "the load average is $(loadavg) now (above $CORES, programs were queuing for cores)."
    fi
    [ -n "$MISSING" ] && say "Not in this build, so skipped:$MISSING."
    say "More: docs/tutorial.md walks through each result; toy(1) lists the flags."
}

# ---- The report ---------------------------------------------------------------------------

if [ ! -x "$TOY" ]; then
    echo "demo: $TOY not found: run make first" >&2
    exit 0
fi
CORES=$(nproc 2> /dev/null || getconf _NPROCESSORS_ONLN 2> /dev/null || echo 1)
MISSING=""
HAVE_MP=0
if has_module multiprocessing; then HAVE_MP=1; else MISSING+=" multiprocessing"; fi
HAVE_NATIVE=0
has_module native && HAVE_NATIVE=1

cat << EOF
Toy demo: threads, processes and the global interpreter lock (GIL)
measured here: $("$TOY" --version 2>&1), $(uname -sm), $CORES core(s), $(date '+%Y-%m-%d %H:%M')
load average before the demo (programs wanting a core, averaged over a minute): $(loadavg)
Every number below comes from the command printed above it.
EOF
# DEMO_PARTS="race_outcomes cycles cow" runs only the parts named (as in
# the part_ functions' names); all of them by default.
for part in ${DEMO_PARTS:-cpu io costs race kill counter shared oldgil convoy race_outcomes cycles cow freethreaded summary}; do
    if declare -F "part_$part" > /dev/null; then "part_$part"; else echo "demo: no part '$part'" >&2; fi
done
exit 0
