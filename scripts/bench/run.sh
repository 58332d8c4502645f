#!/usr/bin/env bash
# run.sh -- run the Toy micro-benchmarks under toy, python3 and lua5.4 and
# print a timing table. `make bench` calls this. See README.md.
set -uo pipefail

usage() {
    cat <<'USAGE'
usage: scripts/bench/run.sh [--toy PATH] [--only NAME] [--extra-toy-args "ARGS"]

  --toy PATH              toy interpreter to benchmark (default ./toy)
  --only NAME             run only NAME.toy (e.g. --only fib)
  --extra-toy-args "ARGS" extra arguments for toy, before the script path

env: BENCH_RUNS=N          timed runs per benchmark (default 5; best run is reported)
     BENCH_STARTUP_RUNS=N  runs of empty.toy for start-up time (default 50)
     BENCH_NO_HYPERFINE=1  use the built-in timer even if hyperfine is installed
     BENCH_PYTHON=PATH     reference python (default: the python3 on PATH, with
                           wrappers such as pyenv shims resolved to the real binary)
USAGE
}

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOY=./toy
ONLY=""
EXTRA=""
RUNS=${BENCH_RUNS:-5}
STARTUP_RUNS=${BENCH_STARTUP_RUNS:-50}

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
        -h|--help) usage; exit 0 ;;
        *) echo "run.sh: unknown option: $1" >&2; usage >&2; exit 2 ;;
    esac
done
read -ra EXTRA_ARGS <<< "$EXTRA"

have() { command -v "$1" >/dev/null 2>&1; }

NOTES=()
note() { NOTES+=("$*"); }

HAVE_TOY=1; have "$TOY" || { HAVE_TOY=0; note "toy not found at '$TOY' (build it, or pass --toy PATH)"; }
# Resolve python3 to its real binary: a pyenv shim alone adds ~50 ms per run.
PY=${BENCH_PYTHON:-$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null)}
HAVE_PY=1
if [ -z "$PY" ] || ! have "$PY"; then HAVE_PY=0; note "python3 not found: no python3 column, toy output checked against lua5.4"; fi
HAVE_LUA=1; have lua5.4 || { HAVE_LUA=0; note "lua5.4 not installed (make bench-deps)"; }
HYPERFINE=0
if [ -z "${BENCH_NO_HYPERFINE:-}" ] && have hyperfine; then HYPERFINE=1; fi

TOY_CMD=("$TOY" ${EXTRA_ARGS[@]+"${EXTRA_ARGS[@]}"})

# time_cmd STAT N CMD... -- prints STAT (min or mean) wall time of N runs, in seconds.
time_cmd() {
    local stat=$1 runs=$2; shift 2
    if [ "$HYPERFINE" = 1 ]; then
        local json; json=$(mktemp)
        if ! hyperfine -N --style none --warmup 1 --runs "$runs" \
                --export-json "$json" "$(printf '%q ' "$@")" >/dev/null 2>&1; then
            rm -f "$json"; return 1
        fi
        sed -n "s/^ *\"$stat\": *\([-0-9.eE+]*\),*\$/\1/p" "$json" | head -n 1
        rm -f "$json"
    else
        local i s e t best="" total=0
        for ((i = 0; i < runs; i++)); do
            s=$(date +%s%N)
            "$@" >/dev/null 2>&1 || return 1
            e=$(date +%s%N)
            t=$((e - s)); total=$((total + t))
            if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
        done
        if [ "$stat" = min ]; then t=$best; else t=$((total / runs)); fi
        awk -v ns="$t" 'BEGIN { printf "%.6f\n", ns / 1e9 }'
    fi
}

# run_one NAME LABEL REF CMD... -- run once to check the output against REF
# (skipped when REF is empty), then time it. Sets OUT, SECS and CELL.
run_one() {
    local name=$1 label=$2 ref=$3; shift 3
    local err; err=$(mktemp)
    OUT=""; SECS=""; CELL="FAIL"
    if ! OUT=$("$@" 2>"$err"); then
        note "$label failed on $name: $(head -n 1 "$err")"
    elif ! SECS=$(time_cmd min "$RUNS" "$@"); then
        SECS=""; note "$label failed on $name during timing"
    else
        CELL=$(printf '%.3f' "$SECS")
        if [ -n "$ref" ] && [ "$OUT" != "$ref" ]; then
            CELL="$CELL MISMATCH"
            note "$label output on $name: '$(echo "$OUT" | tail -n 1)', expected '$(echo "$ref" | tail -n 1)'"
        fi
    fi
    rm -f "$err"
}

BENCHES=()
for f in "$HERE"/*.toy; do
    name=$(basename "$f" .toy)
    [ "$name" = empty ] && continue
    [ -n "$ONLY" ] && [ "$name" != "$ONLY" ] && continue
    BENCHES+=("$name")
done
if [ ${#BENCHES[@]} -eq 0 ]; then echo "run.sh: no benchmark named '$ONLY'" >&2; exit 2; fi

timer="built-in timer (date +%s%N)"; [ "$HYPERFINE" = 1 ] && timer="hyperfine"
echo "Toy benchmarks: best of $RUNS runs, $timer; times in seconds"
echo "  toy:     ${TOY_CMD[*]}"
[ "$HAVE_PY" = 1 ]  && echo "  python3: $PY ($("$PY" -V 2>&1))"
[ "$HAVE_LUA" = 1 ] && echo "  lua5.4:  $(command -v lua5.4) ($(lua5.4 -v 2>&1 | cut -d' ' -f1-2))"
echo
row() { printf '%-10s %16s %16s %16s %12s\n' "$@"; }
row benchmark "toy (s)" "python3 (s)" "lua5.4 (s)" "toy/python3"
row ---------- ---------------- ---------------- ---------------- ------------

RATIOS=()
TOY_BAD=0
for name in "${BENCHES[@]}"; do
    toyf="$HERE/$name.toy"; luaf="$HERE/$name.lua"
    py_cell="-"; py_secs=""; lua_cell="-"; toy_cell="-"; toy_secs=""; ref=""; ratio="-"

    if [ "$HAVE_PY" = 1 ]; then
        run_one "$name" python3 "" "$PY" "$toyf"
        py_cell=$CELL; py_secs=$SECS; ref=$OUT
    fi
    if [ "$HAVE_LUA" = 1 ] && [ -f "$luaf" ]; then
        run_one "$name" lua5.4 "$ref" lua5.4 "$luaf"
        lua_cell=$CELL
        [ -z "$ref" ] && [ -n "$SECS" ] && ref=$OUT
    fi
    if [ "$HAVE_TOY" = 1 ]; then
        run_one "$name" toy "$ref" "${TOY_CMD[@]}" "$toyf"
        toy_cell=$CELL; toy_secs=$SECS
        case $toy_cell in *MISMATCH*|FAIL) TOY_BAD=1 ;; esac
    fi
    # No ratio for a wrong answer: it would skew the geometric mean.
    if [ -n "$toy_secs" ] && [ -n "$py_secs" ] && [ "${toy_cell%MISMATCH}" = "$toy_cell" ]; then
        ratio=$(awk -v a="$toy_secs" -v b="$py_secs" 'BEGIN { printf "%.2f", a / b }')
        RATIOS+=("$ratio")
    fi
    row "$name" "$toy_cell" "$py_cell" "$lua_cell" "$ratio"
done

if [ ${#RATIOS[@]} -gt 0 ]; then
    geo=$(printf '%s\n' "${RATIOS[@]}" | awk '{ s += log($1); n++ } END { printf "%.2f", exp(s / n) }')
    row "geomean" "" "" "" "$geo"
fi

# Start-up: mean wall time of an empty script.
echo
echo "Start-up (empty script, mean of $STARTUP_RUNS runs):"
startup() {
    local label=$1; shift
    local s
    if s=$(time_cmd mean "$STARTUP_RUNS" "$@"); then
        awk -v l="$label" -v s="$s" 'BEGIN { printf "  %-8s %8.2f ms\n", l, s * 1000 }'
    else
        printf "  %-8s %8s\n" "$label" FAIL
    fi
}
[ "$HAVE_TOY" = 1 ] && startup toy "${TOY_CMD[@]}" "$HERE/empty.toy"
[ "$HAVE_PY" = 1 ]  && startup python3 "$PY" "$HERE/empty.toy"
[ "$HAVE_LUA" = 1 ] && startup lua5.4 lua5.4 "$HERE/empty.lua"

if [ ${#NOTES[@]} -gt 0 ]; then
    echo
    echo "Notes:"
    printf '  - %s\n' "${NOTES[@]}"
fi
# A wrong or crashing toy fails the run; missing interpreters never do.
exit "$TOY_BAD"
