#!/usr/bin/env bash
# run.sh -- run the Toy benchmarks (the micro-benchmarks here and the whole
# programs of programs/) under toy, python3 and lua5.4, and print one table
# of times, ratios and peak memory, then start-up times. `make bench` calls
# this. See README.md.
set -uo pipefail

usage() {
    cat <<'USAGE'
usage: scripts/bench/run.sh [--toy PATH] [--only NAME] [--quick] [--extra-toy-args "ARGS"]

  --toy PATH              toy interpreter to benchmark (default ./toy)
  --only NAME             run only NAME.toy, micro or program (e.g. --only fib)
  --quick                 one timed run per benchmark, 20 start-up runs
  --extra-toy-args "ARGS" extra arguments for toy, before the script path

env: BENCH_RUNS=N          timed runs per benchmark (default 5; best run is reported)
     BENCH_STARTUP_RUNS=N  runs of the empty script for start-up time (default 200)
     BENCH_NO_HYPERFINE=1  use the built-in timers even if hyperfine is installed
     BENCH_PYTHON=PATH     reference python (default: the python3 on PATH, with
                           wrappers such as pyenv shims resolved to the real binary)
USAGE
}

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOY=./toy
ONLY=""
EXTRA=""
RUNS=${BENCH_RUNS:-5}
STARTUP_RUNS=${BENCH_STARTUP_RUNS:-200}

while [ $# -gt 0 ]; do
    case $1 in
        --toy|--only|--extra-toy-args)
            [ $# -ge 2 ] || { echo "run.sh: $1 needs an argument" >&2; exit 2; }
            case $1 in
                --toy) TOY=$2 ;;
                --only) ONLY=${2%.toy} ;;
                --extra-toy-args) EXTRA=$2 ;;
            esac
            shift 2 ;;
        --quick) RUNS=1; STARTUP_RUNS=20; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "run.sh: unknown option: $1" >&2; usage >&2; exit 2 ;;
    esac
done
read -ra EXTRA_ARGS <<< "$EXTRA"

. "$HERE/runlib.sh"

HAVE_TOY=1; have "$TOY" || { HAVE_TOY=0; note "toy not found at '$TOY' (build it, or pass --toy PATH)"; }
# Resolve python3 to its real binary: a pyenv shim alone adds ~50 ms per run.
PY=${BENCH_PYTHON:-$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null)}
HAVE_PY=1
if [ -z "$PY" ] || ! have "$PY"; then HAVE_PY=0; note "python3 not found: no python3 column, toy output checked against lua5.4"; fi
HAVE_LUA=1; have lua5.4 || { HAVE_LUA=0; note "lua5.4 not installed (make bench-deps)"; }
HYPERFINE=0
if [ -z "${BENCH_NO_HYPERFINE:-}" ] && have hyperfine; then HYPERFINE=1; fi
# Peak memory needs a python3 to run measure.py (any python3 will do).
MEASURE_PY=""
if [ "$HAVE_PY" = 1 ]; then MEASURE_PY=$PY; elif have python3; then MEASURE_PY=python3; fi
[ -z "$MEASURE_PY" ] && note "no python3 to run measure.py: no memory columns"

TOY_CMD=("$TOY" ${EXTRA_ARGS[@]+"${EXTRA_ARGS[@]}"})

# The benchmarks of one section: every NAME.toy of DIR but empty.toy.
section_benches() {
    local dir=$1 f name
    for f in "$dir"/*.toy; do
        [ -e "$f" ] || continue
        name=$(basename "$f" .toy)
        [ "$name" = empty ] && continue
        [ -n "$ONLY" ] && [ "$name" != "$ONLY" ] && continue
        echo "$name"
    done
}
mapfile -t MICRO < <(section_benches "$HERE")
mapfile -t PROGRAMS < <(section_benches "$HERE/programs")
if [ $((${#MICRO[@]} + ${#PROGRAMS[@]})) -eq 0 ]; then
    echo "run.sh: no benchmark named '$ONLY'" >&2; exit 2
fi

# How each interpreter was compiled: a profile-guided build is faster on
# the programs it was trained on (docs/internals.md, "The profile-guided
# build"); its stamp names the training set (pgo-train.sh, PGO_TRAIN_SET).
toy_build() {
    local stamp
    stamp=$(dirname "$1")/build/profile.stamp
    if [ -f "$stamp" ] && [ ! "$stamp" -nt "$1" ]; then
        case $(cat "$stamp") in
        bench) echo "profile-guided, trained on these benchmarks at 1/50 size" ;;
        *) echo "profile-guided, trained on workloads and tests, none of these benchmarks" ;;
        esac
    else
        echo "no profile"
    fi
}
# What CPython's own configuration says (a distribution may add a profile
# by other means, which this cannot see).
python_build() {
    "$1" -c 'import sysconfig as s
a = s.get_config_var("CONFIG_ARGS") or ""
print("compiled %s, configured %s --enable-optimizations" % (
      s.get_config_var("OPT") or "?", "with" if "--enable-optimizations" in a else "without"))' \
        2>/dev/null || echo "build unknown"
}

timer="built-in timer (date +%s%N)"; [ "$HYPERFINE" = 1 ] && timer="hyperfine -N"
echo "Toy benchmarks: best of $RUNS runs, $timer; times in seconds, peak memory (max RSS) in MB"
echo "  toy:     ${TOY_CMD[*]} ($(toy_build "$TOY"))"
[ "$HAVE_PY" = 1 ]  && echo "  python3: $PY ($("$PY" -V 2>&1), $(python_build "$PY"))"
[ "$HAVE_LUA" = 1 ] && echo "  lua5.4:  $(command -v lua5.4) ($(lua5.4 -v 2>&1 | cut -d' ' -f1-2))"
echo "  load average at start: $(loadavg)"

table_header
TOY_BAD=0
ALL_PY=(); ALL_LUA=()
[ ${#MICRO[@]} -gt 0 ] && run_section micro "$HERE" "${MICRO[@]}"
[ ${#PROGRAMS[@]} -gt 0 ] && run_section programs "$HERE/programs" "${PROGRAMS[@]}"
if [ ${#MICRO[@]} -gt 0 ] && [ ${#PROGRAMS[@]} -gt 0 ]; then
    table_rule
    table_row "geomean (all)" "" "" "" "$(geomean "${ALL_PY[@]}")" "$(geomean "${ALL_LUA[@]}")"
fi

# Start-up: the mean wall time of an empty script.
echo
if [ "$HYPERFINE" = 1 ]; then
    echo "Start-up (empty script; hyperfine -N, 5 warm-up runs, mean of $STARTUP_RUNS runs):"
else
    echo "Start-up (empty script; measure.py, mean of $STARTUP_RUNS runs, each including python's fork+exec):"
fi
[ "$HAVE_TOY" = 1 ] && startup toy "${TOY_CMD[@]}" "$HERE/empty.toy"
[ "$HAVE_PY" = 1 ]  && startup python3 "$PY" "$HERE/empty.toy"
[ "$HAVE_LUA" = 1 ] && startup lua5.4 lua5.4 "$HERE/empty.lua"
echo
echo "load average at end: $(loadavg)"

if [ ${#NOTES[@]} -gt 0 ]; then
    echo
    echo "Notes:"
    printf '  - %s\n' "${NOTES[@]}"
fi
# A wrong or crashing toy fails the run; missing interpreters never do.
exit "$TOY_BAD"
