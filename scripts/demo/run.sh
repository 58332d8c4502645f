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
#
# Every number comes from running ./toy on a small script in scripts/demo/ (or
# scripts/threads/race_refcount.toy); the command is printed before its
# result, so each claim can be reproduced by hand. A feature that is missing
# (multiprocessing, the native module) is reported and its part skipped. The
# exit status is 0 whatever the measurements say: the report is the result.
set -u

TOY=${1:-./toy}
DEMO=scripts/demo
CPU_SECONDS=${DEMO_CPU_SECONDS:-1.0}
BAR_WIDTH=36
ASCII=${DEMO_ASCII:-0}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/toy-demo.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# ---- Helpers -------------------------------------------------------------------

# A heading, and plain indented text.
section() { printf '\n%s\n%s\n' "$1" "$(printf '%*s' "${#1}" '' | tr ' ' '=')"; }
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

# calc EXPR: floating-point arithmetic (awk), e.g. calc "1.5 / 3".
calc() { awk "BEGIN { printf \"%.4f\", $1 }"; }
fmt() { awk -v v="$2" "BEGIN { printf \"$1\", v }"; }

# bar VALUE MAX: a bar of BAR_WIDTH cells for VALUE on a scale whose full
# width is MAX, in eighths of a cell; padded to BAR_WIDTH.
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
        if (rest > 0) { s = s (ascii ? (rest >= 4 ? "#" : "") : part[rest]); cells++ }
        printf "%s%*s", s, w - cells, ""
    }'
}

# row LABEL VALUE MAX UNIT [NOTE]: one line of a bar chart.
row() {
    printf '  %-30s %9s %-3s %s %s\n' "$1" "$(fmt '%.3f' "$2")" "$4" "$(bar "$2" "$3")" "${5:-}"
}

# max V...: the largest of the numbers given.
max() { printf '%s\n' "$@" | awk 'NR == 1 || $1 > m { m = $1 } END { print m + 0 }'; }

# Indent a file's lines (for timelines and bytecode).
indent() { sed 's/^/    /' "$1"; }

loadavg() { cut -d ' ' -f 1 /proc/loadavg 2> /dev/null || echo "unknown"; }

has_module() { "$TOY" -c "import $1" > /dev/null 2>&1; }

# The race detector's verdict in an --no-gil run's stderr, in a few words.
race_verdict() {
    local err=$1
    local what obj
    what=$(sed -n 's/^toy: reference-count race detected: //p' "$err" | head -n 1)
    obj=$(sed -n "s/^  object: an\{0,1\} '\([^']*\)'.*/\1/p" "$err" | head -n 1)
    if [ -n "$what" ]; then
        echo "stopped by the race detector: $what${obj:+ (a '$obj' object)}, exit 3"
    fi
}

# --stats numbers from a stderr file.
stat_of() { sed -n "s/^$2: //p" "$1" | head -n 1; }

# ---- The report ----------------------------------------------------------------------

if [ ! -x "$TOY" ]; then
    echo "demo: $TOY not found: run make first" >&2
    exit 0
fi
CORES=$(nproc 2> /dev/null || getconf _NPROCESSORS_ONLN 2> /dev/null || echo 1)
HAVE_MP=0; has_module multiprocessing && HAVE_MP=1
HAVE_NATIVE=0; has_module native && HAVE_NATIVE=1
MISSING=""

cat <<EOF
Toy demo: threads, processes and the global interpreter lock (GIL)
measured on this machine: $("$TOY" --version 2>&1), $(uname -sm), $CORES core(s), $(date '+%Y-%m-%d %H:%M')
load average before the demo (runnable programs, averaged over a minute): $(loadavg)
Every number below comes from the command printed above it.
EOF

# ---- 1. CPU-bound ------------------------------------------------------------------------

section "1. CPU-bound work, four ways"
run calibrate "$TOY" $DEMO/cpu.toy calibrate "$CPU_SECONDS"
WIDTH=$(cat "$WORK/calibrate.out")
case $WIDTH in ''|*[!0-9]*) WIDTH=160000 ;; esac
say "The job: count the primes among the $WIDTH numbers from 10,000,000 by trial division,"
say "split into 4 equal parts (sized to take about $CPU_SECONDS s on one core here)."
echo

# Results per run KEY (seq, gil, nogil, procs): T_KEY seconds, COUNT_KEY
# primes, NOTE_KEY a remark. get NAME: the variable's value, or empty.
get() { printf '%s' "${!1:-}"; }
T_nogil=""; T_procs=""; NOTE_nogil=""; NOTE_verdict=""
cpu_run() { # KEY FLAGS MODE
    local key=$1 flags=$2 mode=$3
    # shellcheck disable=SC2086
    run "cpu-$key" "$TOY" --stats $flags $DEMO/cpu.toy "$mode" "$WIDTH"
    printf -v "T_$key" '%s' "$(field "cpu-$key" "$mode" 2)"
    printf -v "COUNT_$key" '%s' "$(field "cpu-$key" "$mode" 1)"
}
show_cmd "$TOY $DEMO/cpu.toy sequential $WIDTH"
cpu_run seq "" sequential
show_cmd "$TOY $DEMO/cpu.toy threads $WIDTH"
cpu_run gil "" threads
show_cmd "$TOY --no-gil --stats $DEMO/cpu.toy threads $WIDTH"
stopped=0
for attempt in 1 2 3; do
    cpu_run nogil "--no-gil" threads
    [ "$rc" = 3 ] || break
    stopped=$((stopped + 1))
    NOTE_verdict=$(race_verdict "$WORK/cpu-nogil.err")
done
if [ -n "$T_nogil" ]; then
    NOTE_nogil="race report: anomalies $(stat_of "$WORK/cpu-nogil.err" anomalies), leaked $(stat_of "$WORK/cpu-nogil.err" leaked)"
    [ $stopped -gt 0 ] && NOTE_nogil+="; $stopped earlier run(s) $NOTE_verdict"
else
    NOTE_nogil="${NOTE_verdict:-failed (exit $rc)}"
fi
if [ $HAVE_MP = 1 ]; then
    show_cmd "$TOY $DEMO/cpu.toy processes $WIDTH"
    cpu_run procs "" processes
else
    MISSING+=" multiprocessing"
fi

SEQ=${T_seq:-0}
MAXT=$(max "${T_seq:-0}" "${T_gil:-0}" "${T_nogil:-0}" "${T_procs:-0}")
echo
printf '  %-30s %13s %-*s %s\n' "" "time" "$BAR_WIDTH" "" "speed-up"
cpu_row() { # KEY LABEL
    local t count note
    t=$(get "T_$1"); count=$(get "COUNT_$1"); note=$(get "NOTE_$1")
    if [ -z "$t" ]; then
        printf '  %-30s %13s %s\n' "$2" "-" "${note:-did not finish}"
        return
    fi
    printf '  %-30s %9s s   %s %5sx %s\n' "$2" "$(fmt '%.3f' "$t")" "$(bar "$t" "$MAXT")" \
        "$(fmt '%.2f' "$(calc "$SEQ / $t")")" "${count:+ ($count primes)}"
    [ -n "$note" ] && printf '  %-30s %s\n' "" "$note"
}
cpu_row seq "1 thread, sequential"
cpu_row gil "4 threads, GIL on"
cpu_row nogil "4 threads, --no-gil"
if [ $HAVE_MP = 1 ]; then cpu_row procs "4 processes (multiprocessing)"
else printf '  %-30s %13s %s\n' "4 processes (multiprocessing)" "-" "skipped: import multiprocessing fails in this build"; fi
echo
counts="$(get COUNT_seq) $(get COUNT_gil) $(get COUNT_nogil) $(get COUNT_procs)"
same=$(printf '%s\n' $counts | sort -u | wc -l)
if [ "$same" = 1 ]; then say "Every run found the same $(get COUNT_seq) primes."
else say "The runs disagree on the count: $counts (a race changed a result)."; fi
speedup_of() { local t; t=$(get "T_$1"); [ -n "$t" ] && calc "$SEQ / $t"; }
faster() { [ -n "$1" ] && awk -v s="$1" 'BEGIN { exit !(s >= 1.3) }'; }
conclude "Under the GIL, 4 threads take turns on one core: no faster than 1 thread" \
    "($(fmt '%.2f' "$(speedup_of gil)")x)."
for key in nogil procs; do
    sp=$(speedup_of $key)
    [ -z "$sp" ] && continue
    [ $key = nogil ] && who="Without the lock (--no-gil)" || who="With a lock per process"
    if faster "$sp"; then
        conclude "$who the parts run on $CORES cores at once: $(fmt '%.2f' "$sp")x."
    elif [ "$CORES" -le 1 ]; then
        conclude "$who: $(fmt '%.2f' "$sp")x; with one core nothing can run in parallel."
    else
        conclude "$who: only $(fmt '%.2f' "$sp")x here; see the load average below: cores were busy elsewhere."
    fi
done
if [ -n "$T_nogil" ] && ! faster "$(speedup_of nogil)" && [ "$CORES" -gt 1 ]; then
    say "(--no-gil also pays for freedom: threads sharing objects (small ints, the function)"
    say " update the same reference counts from several cores, and the race detector checks"
    say " every free; both slow each thread down)"
fi

echo
say "Native code that releases the GIL (native.count_primes: the same loop, in C):"
if [ $HAVE_NATIVE = 1 ]; then
    run ncal "$TOY" $DEMO/cpu.toy calibrate-native "$CPU_SECONDS"
    NWIDTH=$(cat "$WORK/ncal.out")
    case $NWIDTH in ''|*[!0-9]*) NWIDTH=8000000 ;; esac
    show_cmd "$TOY $DEMO/cpu.toy native-sequential $NWIDTH"
    run nseq "$TOY" $DEMO/cpu.toy native-sequential "$NWIDTH"
    show_cmd "$TOY $DEMO/cpu.toy native-threads $NWIDTH"
    run nthr "$TOY" $DEMO/cpu.toy native-threads "$NWIDTH"
    NS=$(field nseq native-sequential 2); NT=$(field nthr native-threads 2)
    if [ -n "$NS" ] && [ -n "$NT" ]; then
        NMAX=$(max "$NS" "$NT")
        printf '  %-30s %9s s   %s %5sx\n' "C loop, 1 thread" "$(fmt '%.3f' "$NS")" "$(bar "$NS" "$NMAX")" "1.00"
        printf '  %-30s %9s s   %s %5sx\n' "C loop, 4 threads, GIL on" "$(fmt '%.3f' "$NT")" "$(bar "$NT" "$NMAX")" \
            "$(fmt '%.2f' "$(calc "$NS / $NT")")"
        say "(the C loop counts $NWIDTH numbers in the time Toy code counts $WIDTH:" \
            " $(fmt '%.0f' "$(calc "$NWIDTH / $WIDTH")") times as many)"
        conclude "Threads do run in parallel under the GIL while they are inside C code that released it."
    else
        say "the native runs failed (exit $rc)"
    fi
else
    say "skipped: import native fails in this build (no native.count_primes)"
    MISSING+=" native"
fi

echo
say "Who held the GIL, 4 threads on a quarter of the job (# held, . waiting):"
show_cmd "$TOY --gil-trace=- $DEMO/cpu.toy threads $((WIDTH / 4))"
run tl-cpu "$TOY" --gil-trace=- $DEMO/cpu.toy threads $((WIDTH / 4))
indent "$WORK/tl-cpu.err"
conclude "One '#' per column: at any moment one thread runs; the others wait their turn."
say "The same with --no-gil ('=' running; there is no lock to wait for):"
show_cmd "$TOY --no-gil --gil-trace=- $DEMO/cpu.toy threads $((WIDTH / 4))"
run tl-nogil "$TOY" --no-gil --gil-trace=- $DEMO/cpu.toy threads $((WIDTH / 4))
indent "$WORK/tl-nogil.err"
say "For Perfetto or chrome://tracing: $TOY --gil-trace=cpu.json $DEMO/cpu.toy threads $WIDTH"

# ---- 2. I/O-bound ------------------------------------------------------------------------

section "2. I/O-bound work: ten downloads of 0.2 s"
show_cmd "$TOY $DEMO/io.toy sequential"
run io-seq "$TOY" $DEMO/io.toy sequential
show_cmd "$TOY $DEMO/io.toy threads"
run io-thr "$TOY" $DEMO/io.toy threads
IS=$(field io-seq sequential 2); IT=$(field io-thr threads 2)
if [ -n "$IS" ] && [ -n "$IT" ]; then
    IMAX=$(max "$IS" "$IT")
    printf '  %-30s %9s s   %s %5sx\n' "one after another" "$(fmt '%.3f' "$IS")" "$(bar "$IS" "$IMAX")" "1.00"
    printf '  %-30s %9s s   %s %5sx\n' "10 threads" "$(fmt '%.3f' "$IT")" "$(bar "$IT" "$IMAX")" \
        "$(fmt '%.1f' "$(calc "$IS / $IT")")"
    conclude "Waiting releases the GIL: the ten waits overlap, even on one core."
else
    say "the I/O runs failed"
fi
echo
say "Who held the GIL during the threaded downloads (+ held briefly):"
show_cmd "$TOY --gil-trace=- $DEMO/io.toy threads"
run tl-io "$TOY" --gil-trace=- $DEMO/io.toy threads
indent "$WORK/tl-io.err"
conclude "Nobody holds the lock while the threads sleep: they all wait at the same time."

# ---- 3. Costs of processes --------------------------------------------------------------------

section "3. What a process costs compared with a thread"
if [ $HAVE_MP = 1 ]; then
    show_cmd "$TOY $DEMO/costs.toy thread-latency 200"
    run lat-t "$TOY" $DEMO/costs.toy thread-latency 200
    show_cmd "$TOY $DEMO/costs.toy process-latency 50"
    run lat-p "$TOY" $DEMO/costs.toy process-latency 50
    LT=$(field lat-t thread-latency 1); LP=$(field lat-p process-latency 1)
    if [ -n "$LT" ] && [ -n "$LP" ]; then
        LT=$(calc "$LT * 1e6"); LP=$(calc "$LP * 1e6"); LMAX=$(max "$LT" "$LP")
        say "Start one, wait for it to end (mean):"
        printf '  %-30s %9s us  %s\n' "thread" "$(fmt '%.0f' "$LT")" "$(bar "$LT" "$LMAX")"
        printf '  %-30s %9s us  %s\n' "process (fork)" "$(fmt '%.0f' "$LP")" "$(bar "$LP" "$LMAX")"
        conclude "A process takes $(fmt '%.0f' "$(calc "$LP / $LT")") times as long to start and reap as a thread."
    fi
    echo
    show_cmd "$TOY $DEMO/costs.toy memory 8"
    run mem "$TOY" $DEMO/costs.toy memory 8
    MT=$(field mem memory-threads 1); MP=$(field mem memory-processes 1)
    if [ -n "$MT" ] && [ -n "$MP" ] && [ "$MT" -ge 0 ] && [ "$MP" -ge 0 ]; then
        MMAX=$(max "$MT" "$MP")
        say "Memory of 8 idle workers (threads: growth of the process; processes: memory"
        say "private to each child, summed - pages it copied on write or allocated):"
        printf '  %-30s %9s KiB %s\n' "8 threads" "$MT" "$(bar "$MT" "$MMAX")"
        printf '  %-30s %9s KiB %s\n' "8 processes" "$MP" "$(bar "$MP" "$MMAX")"
        conclude "Each process is a whole interpreter; touching a shared object's refcount copies its page."
    else
        say "memory: not measurable here (needs /proc/PID/smaps_rollup)"
    fi
    echo
    show_cmd "$TOY $DEMO/costs.toy queue 200000"
    run q "$TOY" $DEMO/costs.toy queue 200000
    QT=$(field q queue-thread 1); QP=$(field q queue-process 1)
    LT2=$(field q queue-thread 2); LP2=$(field q queue-process 2)
    if [ -n "$QT" ] && [ -n "$QP" ]; then
        QT=$(calc "$QT * 1e3"); QP=$(calc "$QP * 1e3"); QMAX=$(max "$QT" "$QP")
        say "A list of 200,000 ints handed to a worker, which appends one item:"
        printf '  %-30s %9s ms  %s %s\n' "thread (shared, queue.Queue)" "$(fmt '%.3f' "$QT")" "$(bar "$QT" "$QMAX")" "list now $LT2 long"
        printf '  %-30s %9s ms  %s %s\n' "process (multiprocessing.Queue)" "$(fmt '%.3f' "$QP")" "$(bar "$QP" "$QMAX")" "list now $LP2 long"
        conclude "Threads share the one list (the append shows); a process gets a copy, encoded and sent through a pipe."
    fi
else
    say "skipped: import multiprocessing fails in this build"
fi

# ---- 4. Why the GIL exists ------------------------------------------------------------------------

section "4. Why the GIL exists: reference counts race without it"
RACE=scripts/threads/race_refcount.toy
if [ -f "$RACE" ]; then
    say "Four threads take and drop references to one shared object, 8 million times in all."
    say "Every INCREF is matched by a DECREF, so its count must end where it started."
    show_cmd "$TOY --stats $RACE            (3 times)"
    show_cmd "$TOY --stats --no-gil $RACE   (3 times, up to 10 until a race shows)"
    bad_gil=0; bad_nogil=0; runs_gil=0; runs_nogil=0
    for mode in gil nogil; do
        for i in 1 2 3 4 5 6 7 8 9 10; do
            if [ $mode = gil ]; then
                [ $i -gt 3 ] && break
                runs_gil=$i
                run race "$TOY" --stats $RACE
            else
                [ $i -gt 3 ] && [ $bad_nogil -gt 0 ] && break
                runs_nogil=$i
                run race "$TOY" --stats --no-gil $RACE
            fi
            drift=$(sed -n 's/^drift: //p' "$WORK/race.out")
            leaked=$(stat_of "$WORK/race.err" leaked)
            verdict=$(race_verdict "$WORK/race.err")
            if [ -n "$verdict" ]; then
                line="$verdict"
            else
                line="drift ${drift:-?}, leaked: ${leaked:-?}, anomalies: $(stat_of "$WORK/race.err" anomalies)"
            fi
            ok=1
            { [ "$rc" = 0 ] && [ "${drift:-x}" = 0 ] && [ "${leaked:-x}" = 0 ]; } || ok=0
            if [ $mode = gil ]; then [ $ok = 1 ] || bad_gil=$((bad_gil + 1)); label="GIL on, run $i"
            else [ $ok = 1 ] || bad_nogil=$((bad_nogil + 1)); label="--no-gil, run $i"; fi
            printf '  %-18s %s\n' "$label" "$line"
        done
    done
    echo
    say "Runs where the count drifted, objects leaked or a freed object was touched:"
    printf '  %-30s %9s     %s\n' "GIL on" "$bad_gil of $runs_gil" "$(bar "$bad_gil" "$runs_gil")"
    printf '  %-30s %9s     %s\n' "--no-gil" "$bad_nogil of $runs_nogil" "$(bar "$bad_nogil" "$runs_nogil")"
    if [ "$bad_nogil" = 0 ]; then
        conclude "No race struck in $runs_nogil runs on $CORES core(s): races are a matter of timing; run it again."
    else
        conclude "refcnt++ is read, add, write: two threads at once lose updates. The GIL makes them take turns."
    fi
    [ "$CORES" -lt 2 ] && say "(one core: threads never truly overlap, so races without the GIL are rare here)"
else
    say "skipped: $RACE is missing"
fi

# ---- 5. Killing ------------------------------------------------------------------------------------

section "5. A stuck process can be stopped; a stuck thread cannot"
if [ $HAVE_MP = 1 ]; then
    show_cmd "$TOY $DEMO/kill.toy process"
    run kill "$TOY" $DEMO/kill.toy process
    KT=$(field kill terminate 3); KC=$(field kill terminate 2)
    KK=$(field kill kill 3); KKC=$(field kill kill 2)
    if [ -n "$KT" ]; then
        KT=$(calc "$KT * 1e3"); KK=$(calc "${KK:-0} * 1e3")
        say "A child spinning in 'while True: pass', stopped from the parent after 0.2 s:"
        printf '  %-30s %9s ms  %s exitcode %s\n' "p.terminate() (SIGTERM)" "$(fmt '%.1f' "$KT")" "$(bar "$KT" 400)" "$KC"
        printf '  %-30s %9s ms  %s exitcode %s\n' "p.kill() (SIGKILL)" "$(fmt '%.1f' "$KK")" "$(bar "$KK" 400)" "${KKC:-?}"
    fi
else
    say "processes: skipped (import multiprocessing fails in this build)"
fi
show_cmd "$TOY $DEMO/kill.toy thread"
run kthr "$TOY" $DEMO/kill.toy thread
methods=$(field kthr thread-methods 1); alive=$(field kthr thread-alive-after-join-timeout 1)
printf '  %-30s %9s ms  %s %s\n' "stuck thread" ">400" "$(bar 400 400)" \
    "still alive: ${alive:-?}; stop methods: ${methods:-?}"
conclude "A process is the OS's unit: it can be signalled. A thread shares the process; Python gives no way to kill it."

# ---- 6. Races with the GIL ------------------------------------------------------------------------

section "6. Races exist even with the GIL: counter += ..."
say "The GIL changes hands only at switch points: calls and the jumps back at the end"
say "of a loop body. Here is the loop body of two versions (from --dis):"
show_cmd "$TOY --dis $DEMO/counter.toy"
run dis "$TOY" --dis $DEMO/counter.toy
for fn in add_plain add_with_call; do
    say "$fn:"
    awk -v fn="$fn" '/^Disassembly of/ { on = index($0, "code object " fn " ") > 0; next }
        on && /LOAD_GLOBAL.*\(counter\)/ { body = 1 }
        on && body { print "    " $0 }
        on && body && /STORE_GLOBAL.*\(counter\)/ { body = 0 }' "$WORK/dis.out"
done
say "In add_with_call the CALL sits between the load of counter and its store: a switch"
say "there lets other threads add to counter, and the store then overwrites their work."
echo
for mode in plain call lock; do
    show_cmd "$TOY --switch-interval=0.01 $DEMO/counter.toy $mode"
    run "ctr-$mode" "$TOY" --switch-interval=0.01 $DEMO/counter.toy $mode
done
printf '  %-30s %9s     %-*s %s\n' "" "final" "$BAR_WIDTH" "" "lost"
for mode in plain call lock; do
    exp=$(field "ctr-$mode" "$mode" 1); got=$(field "ctr-$mode" "$mode" 2)
    case $mode in
        plain) label="counter += 1" ;;
        call) label="counter += step()" ;;
        lock) label="with lock: counter += step()" ;;
    esac
    if [ -n "$got" ]; then
        printf '  %-30s %9s     %s %s\n' "$label" "$got" "$(bar "$got" "$exp")" "$((exp - got)) of $exp"
    else
        printf '  %-30s %9s\n' "$label" "failed (exit $rc)"
    fi
done
conclude "The GIL keeps the interpreter's own counts exact, not your read-modify-write: use a Lock."
say "(counter += 1 loses nothing here only because no switch point falls inside it;"
say " that is an accident of where the switch points are, not a promise)"

# ---- Summary ------------------------------------------------------------------------------------

section "What the numbers mean on this machine"
if [ "$CORES" -le 1 ]; then
    say "This machine has 1 core. Only one thread or process can run at any instant, so"
    say "parallel speed-ups (--no-gil, processes, native threads) cannot appear here:"
    say "expect about 1.0x for all of them. The I/O-bound speed-up still shows, because"
    say "waiting needs no core."
else
    ideal=$(( CORES < 4 ? CORES : 4 ))
    say "This machine has $CORES cores: 4 parts can run at most ${ideal} at a time, so the best"
    say "speed-up for the CPU-bound job is about ${ideal}x. Threads under the GIL stay near 1x"
    say "whatever the core count; --no-gil, processes and native code can approach ${ideal}x."
    say "Other programs running at the same time take cores away and lower these numbers:"
    say "the load average is $(loadavg) now (above $CORES means programs were queuing for cores)."
fi
if [ -n "$MISSING" ]; then
    say "Not in this build, so skipped:$MISSING."
fi
say "More: docs/tutorial.md walks through each result; toy(1) lists the flags."
exit 0
