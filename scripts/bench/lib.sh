# lib.sh -- what the table-printing benchmarks (threads.sh, procs.sh) share:
# their options, running a measurement several times, formatting the cells,
# and the notes printed under the table. Sourced, never run; the script that
# sources it defines usage() and sets RUNS first.

# bench_options NAME ARGS... : read --toy PATH, --python PATH and --help into
# TOY and PY (defaults ./toy and python3), check that toy runs, and resolve
# python3 to the real binary ("" when there is none).
bench_options() {
    local name=$1; shift
    TOY=./toy
    PY=python3
    while [ $# -gt 0 ]; do
        case $1 in
            --toy) TOY=${2:?--toy needs a path}; shift 2 ;;
            --python) PY=${2-}; shift 2 ;;
            -h|--help) usage; exit 0 ;;
            *) echo "$name: unknown option: $1" >&2; usage >&2; exit 2 ;;
        esac
    done
    if ! have "$TOY"; then
        echo "$name: toy not found at '$TOY' (run make, or pass --toy PATH)" >&2
        exit 2
    fi
    # The real python binary: a pyenv shim would add its own start-up to each run.
    if [ -n "$PY" ] && have "$PY"; then
        PY=$("$PY" -c 'import sys; print(sys.executable)' 2>/dev/null || echo "$PY")
    else
        PY=""
    fi
}

have() { command -v "$1" >/dev/null 2>&1; }

CORES=$(nproc 2>/dev/null || echo "?")

NOTES=()
note() { NOTES+=("$*"); }

# print_notes: the notes collected while measuring, after the table.
print_notes() {
    if [ ${#NOTES[@]} -gt 0 ]; then
        echo
        for n in "${NOTES[@]}"; do echo "note: $n"; done
    fi
}

# bench_header TITLE: the title, then which toy and python3 are measured.
bench_header() {
    echo "$1"
    echo "  toy:     $TOY"
    [ -n "$PY" ] && echo "  python3: $PY ($("$PY" -V 2>&1))"
    echo
}

# min A B... : the smallest of the numbers given (empty if none).
min() { printf '%s\n' "$@" | sort -g | head -n 1; }
# median N...: the middle number (the lower middle of an even count).
median() { printf '%s\n' "$@" | sort -g | sed -n "$((($# + 1) / 2))p"; }

# field PATTERN CMD... : run CMD, print the number after PATTERN in the first
# output line starting with PATTERN (nothing if the run fails or lacks it).
field() {
    local pattern=$1; shift
    local out
    out=$("$@" 2>/dev/null) || return 1
    printf '%s\n' "$out" | sed -n "s/^$pattern *\([0-9.eE+-]*\).*/\1/p" | head -n 1
}

# fields PATTERN CMD... : `field` over RUNS runs, one value a line.
fields() {
    local v i
    for ((i = 0; i < RUNS; i++)); do
        v=$(field "$@") || return 1
        [ -n "$v" ] || return 1
        echo "$v"
    done
}

# best_field PATTERN CMD... : the smallest value of `field` over RUNS runs.
best_field() { local v; v=$(fields "$@") || return 1; printf '%s\n' "$v" | sort -g | head -n 1; }

# max_field PATTERN CMD... : the largest value of `field` over RUNS runs (for
# memory: reclaim under memory pressure can only make a reading smaller).
max_field() { local v; v=$(fields "$@") || return 1; printf '%s\n' "$v" | sort -g | tail -n 1; }

# one_wall CMD... : the wall time of one run, in seconds; fails if the run does.
one_wall() {
    local s e
    s=$(date +%s%N)
    "$@" >/dev/null 2>&1 || return 1
    e=$(date +%s%N)
    awk -v ns=$((e - s)) 'BEGIN { printf "%.6f", ns / 1e9 }'
}

# best_wall CMD... : the smallest wall time of RUNS runs, in seconds.
best_wall() {
    local values=() v i
    for ((i = 0; i < RUNS; i++)); do
        v=$(one_wall "$@") || return 1
        values+=("$v")
    done
    min "${values[@]}"
}

# ratio A B : A / B as "N.NNx", or "-" when either is missing.
ratio() {
    if [ -z "$1" ] || [ -z "$2" ]; then echo "-"; return; fi
    awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }'
}

# Cells: a number with its unit, or "-" when the measurement failed.
secs() { if [ -n "$1" ]; then printf '%.3f s' "$1"; else echo "-"; fi; }
usecs() { if [ -n "$1" ]; then printf '%.1f us' "$1"; else echo "-"; fi; }
kbytes() { if [ -n "$1" ]; then printf '%d KB' "$1"; else echo "-"; fi; }
