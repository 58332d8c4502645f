#!/usr/bin/env bash
# cachegrind.sh -- instruction counts of two toy binaries on every benchmark.
#
#   scripts/bench/cachegrind.sh [--only NAME] BASE_TOY NEW_TOY
#
# Each scripts/bench/NAME.toy is copied with its size cut down (the sizes
# are constants in the programs: SHRINK below rewrites them), run once under
# `valgrind --tool=cachegrind` with each binary, and the table shows the
# instructions executed (valgrind's "I refs") and NEW's difference from BASE
# in percent. Instruction counts hardly move between runs, so a change of a
# fraction of a percent is real even on a busy machine, where wall time is
# not. `empty` is the interpreter's start-up. The whole programs of
# programs/ run at the small size program_size() gives. Both binaries must print the
# same line; a difference is reported as MISMATCH.
set -u

here=$(cd "$(dirname "$0")" && pwd)
only=""
while [ $# -gt 0 ]; do
    case $1 in
        --only) only=${2:?--only needs a name}; shift 2 ;;
        -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
        *) break ;;
    esac
done
if [ $# -ne 2 ]; then
    echo "usage: $0 [--only NAME] BASE_TOY NEW_TOY" >&2
    exit 2
fi
base=$1 new=$2
command -v valgrind >/dev/null || { echo "$0: valgrind not found" >&2; exit 2; }
for t in "$base" "$new"; do
    [ -x "$t" ] || { echo "$0: not an executable: $t" >&2; exit 2; }
done

# shrink NAME and program_size NAME: the small sizes (sizes.sh).
. "$here/sizes.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# irefs BINARY SCRIPT OUTFILE [ARG]: print the instruction count, write
# stdout to OUTFILE.
irefs() {
    valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
        "$1" "$2" ${4:+"$4"} >"$3" 2>"$3.err"
    sed -n 's/.*I *refs: *\([0-9,]*\).*/\1/p' "$3.err" | tr -d ,
}

# row NAME BASE_COUNT NEW_COUNT: one line of the table.
row() {
    if [ -z "$2" ] || [ -z "$3" ]; then
        printf '%-14s %s\n' "$1" "FAIL (no count from valgrind)"
        return
    fi
    local mark="" pct
    cmp -s "$tmp/base.out" "$tmp/new.out" || mark="  MISMATCH"
    pct=$(awk -v b="$2" -v n="$3" 'BEGIN { printf "%+.2f%%", (n - b) * 100 / b }')
    printf '%-14s %15s %15s %9s%s\n' "$1" "$2" "$3" "$pct" "$mark"
}

printf '%-14s %15s %15s %9s\n' benchmark base new diff
for src in "$here"/*.toy; do
    name=$(basename "$src" .toy)
    [ -n "$only" ] && [ "$name" != "$only" ] && continue
    prog="$tmp/$name.toy"
    expr=$(shrink "$name")
    if [ -n "$expr" ]; then
        sed "$expr" "$src" >"$prog"
        if cmp -s "$src" "$prog"; then
            echo "$0: the size of $name.toy changed; update shrink()" >&2
            exit 1
        fi
    else
        cp "$src" "$prog"
    fi
    row "$name" "$(irefs "$base" "$prog" "$tmp/base.out")" "$(irefs "$new" "$prog" "$tmp/new.out")"
done
for src in "$here"/programs/*.toy; do
    name=$(basename "$src" .toy)
    [ -n "$only" ] && [ "$name" != "$only" ] && continue
    size=$(program_size "$name")
    [ -n "$size" ] || { echo "$0: no size for programs/$name.toy; update program_size()" >&2; exit 1; }
    row "$name" "$(irefs "$base" "$src" "$tmp/base.out" "$size")" \
        "$(irefs "$new" "$src" "$tmp/new.out" "$size")"
done
