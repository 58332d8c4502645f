#!/usr/bin/env bash
# gil.sh -- the GIL's three policies (toy --gil=ticks|modern|priority) and
# CPython 3.11, side by side, measured on this machine. `make bench-gil`
# calls this. Prints one table; never fails on timing.
#
#   2 CPU threads vs sequential: Beazley's countdown (scripts/demo/oldgil.toy)
#     twice one after the other, then in two threads: threads / sequential.
#     Python 2's lock (ticks) is expected above 1 on several cores.
#   200 x 1 ms sleeps beside a CPU thread (scripts/demo/convoy.toy sleeps):
#     the time beside the thread / the time alone, and how late the sleeps
#     woke up (99th percentile and worst, ms): the convoy effect. For Toy,
#     also the 99th percentile of the wait for the GIL alone after each
#     sleep, from --stats (the lateness also counts the OS's own delays).
#   echo requests per second (scripts/demo/convoy.toy echo): a server
#     thread answering a client process, alone and beside a CPU thread.
#
# The configurations run in turn (each measurement for every configuration
# before the next measurement), BENCH_ROUNDS times; each cell is the median.
# The load average is printed before and after: on a busy machine every
# number is noisier, and the parallel ones pessimistic.
set -uo pipefail

usage() {
    cat <<'USAGE'
usage: scripts/bench/gil.sh [--toy PATH] [--python PATH]

  --toy PATH      toy interpreter to measure (default ./toy)
  --python PATH   python3 for the CPython column (default python3; "" for none)

env: BENCH_ROUNDS=N         rounds, median reported (default 3)
     BENCH_CPU_SECONDS=S    the sequential countdown's length (default 1.0)
     BENCH_SLEEPS=N         1 ms sleeps per run (default 200)
     BENCH_ECHO_SECONDS=S   length of an echo run (default 1.0)
USAGE
}

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
ROUNDS=${BENCH_ROUNDS:-3}
RUNS=1
CPU_SECONDS=${BENCH_CPU_SECONDS:-1.0}
SLEEPS=${BENCH_SLEEPS:-200}
ECHO_SECONDS=${BENCH_ECHO_SECONDS:-1.0}

. "$HERE/lib.sh"
bench_options gil.sh "$@"

OLDGIL="$ROOT/scripts/demo/oldgil.toy"
CONVOY="$ROOT/scripts/demo/convoy.toy"
CONFIGS=(ticks modern priority)
[ -n "$PY" ] && CONFIGS+=(python)

loadavg() { cut -d ' ' -f 1 /proc/loadavg 2>/dev/null || echo "?"; }

# interp CONFIG: the command line that runs a script under CONFIG.
interp() {
    case $1 in
        python) echo "$PY" ;;
        *) echo "$TOY --gil=$1" ;;
    esac
}

# result CONFIG FIELD SCRIPT ARGS... : run, print field FIELD (1 = the word
# after RESULT) of the RESULT line, or nothing if the run failed.
result() {
    local cfg=$1 n=$2
    shift 2
    # shellcheck disable=SC2046 # interp's words are the command
    timeout 120 $(interp "$cfg") "$@" 2>/dev/null < /dev/null |
        awk -v n="$n" '$1 == "RESULT" { print $(n + 1); exit }'
}

declare -A VALUES
add() { [ -n "$3" ] && VALUES[$1:$2]="${VALUES[$1:$2]:-} $3"; }
median() {
    # shellcheck disable=SC2086
    printf '%s\n' $1 | sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'
}
get() { median "${VALUES[$1:$2]:-}"; }

# Each interpreter counts down from its own N, sized to take CPU_SECONDS
# sequentially (CPython and Toy differ in speed; the ratio is what counts).
declare -A COUNT
COUNT[modern]=$($TOY "$OLDGIL" calibrate "$CPU_SECONDS" 2>/dev/null)
COUNT[ticks]=${COUNT[modern]}
COUNT[priority]=${COUNT[modern]}
[ -n "$PY" ] && COUNT[python]=$("$PY" "$OLDGIL" calibrate "$CPU_SECONDS" 2>/dev/null)

LOAD_BEFORE=$(loadavg)
bench_header "The GIL's policies on this machine: $CORES cores; median of $ROUNDS rounds, run in turn"
echo "load average before: $LOAD_BEFORE (programs wanting a core, averaged over a minute)"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/toy-bench-gil.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

for ((r = 1; r <= ROUNDS; r++)); do
    printf 'round %d of %d...\n' "$r" "$ROUNDS" >&2
    for cfg in "${CONFIGS[@]}"; do
        n=${COUNT[$cfg]:-}
        [ -n "$n" ] || continue
        add "$cfg" cpu_seq "$(result "$cfg" 3 "$OLDGIL" sequential "$n")"
        add "$cfg" cpu_thr "$(result "$cfg" 3 "$OLDGIL" threads "$n")"
    done
    for cfg in "${CONFIGS[@]}"; do
        add "$cfg" sleep_alone "$(result "$cfg" 4 "$CONVOY" sleeps alone "$SLEEPS")"
        # Toy also says, with --stats, how long the sleeper waited for the
        # GIL itself (the lateness above also counts the OS's delays).
        stats=""
        [ "$cfg" = python ] || stats=--stats
        # shellcheck disable=SC2046
        timeout 120 $(interp "$cfg") $stats "$CONVOY" sleeps cpu "$SLEEPS" \
            > "$WORK/out" 2> "$WORK/err" < /dev/null
        read -r total p99 worst <<< "$(awk '$1 == "RESULT" { print $5, $7, $8; exit }' "$WORK/out")"
        add "$cfg" sleep_cpu "${total:-}"
        add "$cfg" sleep_p99 "${p99:-}"
        add "$cfg" sleep_max "${worst:-}"
        add "$cfg" gil_p99 "$(awk '$1 == "MainThread" { f = 1; next }
            f && $1 == "wake-ups" { print $7; exit } f { exit }' "$WORK/err")"
    done
    for cfg in "${CONFIGS[@]}"; do
        add "$cfg" echo_alone "$(result "$cfg" 5 "$CONVOY" echo alone "$ECHO_SECONDS")"
        add "$cfg" echo_cpu "$(result "$cfg" 5 "$CONVOY" echo cpu "$ECHO_SECONDS")"
    done
done

# cell: a number with FORMAT, or "-" when missing.
cell() { if [ -n "$2" ]; then awk -v v="$2" "BEGIN { printf \"$1\", v }"; else echo "-"; fi; }
div() {
    if [ -z "$1" ] || [ -z "$2" ]; then echo ""; return; fi
    awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.4f", a / b }'
}

# line LABEL FORMAT METRIC-FUNCTION: one row, a cell per configuration.
line() {
    local label=$1 format=$2 fn=$3 cfg
    printf '  %-38s' "$label"
    for cfg in "${CONFIGS[@]}"; do printf ' %12s' "$(cell "$format" "$($fn "$cfg")")"; done
    echo
}
m_cpu() { div "$(get "$1" cpu_thr)" "$(get "$1" cpu_seq)"; }
m_seq() { get "$1" cpu_seq; }
m_thr() { get "$1" cpu_thr; }
m_slow() { div "$(get "$1" sleep_cpu)" "$(get "$1" sleep_alone)"; }
m_alone() { get "$1" sleep_alone; }
m_p99() { get "$1" sleep_p99; }
m_max() { get "$1" sleep_max; }
m_gil_p99() { get "$1" gil_p99; }
m_echo_alone() { get "$1" echo_alone; }
m_echo_cpu() { get "$1" echo_cpu; }
m_echo_ratio() {
    local r
    r=$(div "$(get "$1" echo_cpu)" "$(get "$1" echo_alone)")
    [ -n "$r" ] && awk -v r="$r" 'BEGIN { printf "%.4f", 100 * r }'
}

echo
printf '  %-38s' ""
for cfg in "${CONFIGS[@]}"; do
    case $cfg in python) printf ' %12s' "CPython" ;; *) printf ' %12s' "$cfg" ;; esac
done
echo
line "2 CPU threads / sequential" "%.2fx" m_cpu
line "  sequential, s" "%.3f" m_seq
line "  2 threads, s" "%.3f" m_thr
printf '  %s\n' "$SLEEPS x 1 ms sleeps beside a CPU thread:"
line "  slowdown vs alone" "%.2fx" m_slow
line "  alone, s" "%.3f" m_alone
line "  p99 wake-up, ms" "%.3f" m_p99
line "  worst wake-up, ms" "%.3f" m_max
line "  p99 wait for the GIL (--stats), ms" "%.3f" m_gil_p99
line "echo requests/s, alone" "%.0f" m_echo_alone
line "echo requests/s, beside a CPU thread" "%.0f" m_echo_cpu
line "  beside / alone" "%.1f%%" m_echo_ratio
echo
echo "load average after: $(loadavg)"
echo "targets (issue 12): ticks 2-thread ratio > 1 (Beazley); priority slowdown <= 1.2x,"
echo "  p99 wake-up <= 1 ms, echo beside a CPU thread >= 50% of alone"
if awk -v l="$LOAD_BEFORE" -v c="$CORES" 'BEGIN { exit !(c + 0 > 0 && l + 0 > c * 0.75) }'; then
    note "load average $LOAD_BEFORE on $CORES cores at the start: other programs took cores, so wake-ups were late for reasons of their own and the 2-thread runs had no core to spare"
fi
print_notes
exit 0
