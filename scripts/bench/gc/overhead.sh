#!/usr/bin/env bash
# overhead.sh -- what the cycle collector costs the benchmarks of
# scripts/bench/: each NAME.toy is timed as it is (collector enabled, the
# default) and with `import gc; gc.disable()` put in front, and the table
# shows both CPU times (best of BENCH_RUNS runs) and their ratio, with the
# geometric mean of the ratios. CPython 3.11 measured the same way gives the
# comparison (its own collector's cost). Only the collections themselves
# are compared here: the collector head and the list linking are paid in
# both columns.
#
# usage: scripts/bench/gc/overhead.sh [--toy PATH] [--python PATH]
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOY=./toy
PY=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null || true)
RUNS=${BENCH_RUNS:-5}
while [ $# -gt 0 ]; do
    case $1 in
        --toy) TOY=$2; shift 2 ;;
        --python) PY=$2; shift 2 ;;
        *) echo "usage: $0 [--toy PATH] [--python PATH]" >&2; exit 2 ;;
    esac
done
TMPD=$(mktemp -d)
trap 'rm -rf "$TMPD"' EXIT

# best CPU time (user + system, in seconds) of RUNS runs of "$@": on a
# loaded machine CPU time varies much less than wall time.
best_of() {
    local best="" t
    for _ in $(seq "$RUNS"); do
        /usr/bin/time -f '%U %S' -o "$TMPD/time" "$@" >/dev/null 2>&1 || { echo "fail"; return; }
        t=$(awk '{print $1 + $2}' "$TMPD/time")
        if [ -z "$best" ] || (( $(echo "$t < $best" | bc -l) )); then best=$t; fi
    done
    printf '%.3f' "$best"
}

printf '%-11s %9s %9s %7s   %9s %9s %7s\n' benchmark toy toy-nogc ratio python py-nogc ratio
toy_logs=() py_logs=()
for f in "$HERE"/*.toy; do
    name=$(basename "$f" .toy)
    [ "$name" = empty ] && continue
    { echo "import gc; gc.disable()"; cat "$f"; } > "$TMPD/$name.toy"
    on=$(best_of "$TOY" "$f"); off=$(best_of "$TOY" "$TMPD/$name.toy")
    r=$(echo "$on / $off" | bc -l); toy_logs+=("l($r)")
    pon=- poff=- pr=-
    if [ -n "$PY" ]; then
        pon=$(best_of "$PY" "$f"); poff=$(best_of "$PY" "$TMPD/$name.toy")
        pr=$(echo "$pon / $poff" | bc -l); py_logs+=("l($pr)")
        pr=$(printf '%.3f' "$pr")
    fi
    printf '%-11s %9s %9s %7.3f   %9s %9s %7s\n' "$name" "$on" "$off" "$r" "$pon" "$poff" "$pr"
done
geo() { local IFS=+; echo "e(($*) / $#)" | bc -l; }
printf 'geomean of toy/toy-nogc: %.3f' "$(geo "${toy_logs[@]}")"
[ ${#py_logs[@]} -gt 0 ] && printf '   python/python-nogc: %.3f' "$(geo "${py_logs[@]}")"
echo
