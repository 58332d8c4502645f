#!/usr/bin/env bash
# Regenerate expected outputs of script tests from CPython 3.11.
#
# usage: tests/tools/gen_expected.sh [FILES...]
#   (default: every tests/**/*.toy except tests/tools and "# toy-only" tests)
#
# For tests/<topic>/<name>.toy it runs, from the repo root,
#   python3 -E -s -B tests/<topic>/<name>.toy [args from <name>.args] < <name>.in|/dev/null
# and writes <name>.out, <name>.err (only if non-empty, and never when a
# hand-written <name>.errmatch exists) and <name>.status (only if non-zero).
# Python's caret/tilde marker lines are removed from tracebacks (Toy prints
# the source line but no markers), and the repository's absolute path is
# removed from both outputs (paths under it become relative).
# Files whose first line is "# toy-only" have hand-written expectations and
# are skipped.

set -u
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
root_phys=$(cd "$root" && pwd -P)
cd "$root" || exit 1

PY=${PYTHON:-python3}
if ! "$PY" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
    echo "gen_expected.sh: warning: $PY is not Python 3.11; expectations may differ" >&2
fi

files=()
if [ $# -gt 0 ]; then
    for f in "$@"; do
        f=$(realpath --relative-to="$root" "$f")
        files+=("$f")
    done
else
    while IFS= read -r f; do files+=("$f"); done < <(
        find tests -path tests/tools -prune -o -type f -path 'tests/*/*' -name '*.toy' -print | LC_ALL=C sort)
fi

export LC_ALL=C.UTF-8 PYTHONIOENCODING=utf-8
n=0 skipped=0
for f in "${files[@]}"; do
    case $f in *.toy) ;; *) echo "skip (not a .toy file): $f" >&2; continue ;; esac
    if head -n 1 "$f" | grep -q '^# *toy-only'; then
        skipped=$((skipped + 1))
        continue
    fi
    base=${f%.toy}
    args=()
    [ -f "$base.args" ] && mapfile -t args < "$base.args"
    stdin=/dev/null
    [ -f "$base.in" ] && stdin=$base.in

    tmp=$(mktemp)
    # -E -s: isolated from the environment and user site-packages, but (unlike
    # -I) with the script's folder as sys.path[0], so tests can import their
    # helper modules; -B: no __pycache__ folders next to them
    timeout 60 "$PY" -E -s -B "$f" "${args[@]}" < "$stdin" > "$tmp.out" 2> "$tmp"
    status=$?
    # make paths under the repository relative (CPython 3.11 shows absolute
    # paths: of the main script in tracebacks, of imported modules in
    # __file__, tracebacks and ImportError messages); the runner does the
    # same to Toy's output
    sed -e "s|$root/||g" -e "s|$root_phys/||g" "$tmp.out" > "$base.out"
    rm -f "$tmp.out"
    # and drop Python 3.11's caret/tilde marker lines
    grep -v -E '^ *[~^][ ~^]*$' "$tmp" | sed -e "s|$root/||g" -e "s|$root_phys/||g" > "$tmp.2"
    if [ -f "$base.errmatch" ]; then
        rm -f "$base.err"
    elif [ -s "$tmp.2" ]; then
        cp "$tmp.2" "$base.err"
    else
        rm -f "$base.err"
    fi
    rm -f "$tmp" "$tmp.2"
    if [ "$status" != 0 ]; then
        echo "$status" > "$base.status"
    else
        rm -f "$base.status"
    fi
    n=$((n + 1))
done
echo "generated $n, skipped $skipped toy-only" >&2
