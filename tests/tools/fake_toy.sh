#!/usr/bin/env bash
# Runner self-check: a stand-in for ./toy that runs CPython.
#   tests/run.sh --toy tests/tools/fake_toy.sh
# must pass every Python-generated script test (toy-only tests, and most of
# tests/cli which check Toy's own CLI, are expected to fail with it).
# It drops --stats, strips the caret lines of Python tracebacks and appends a fake
# stats block when --stats was given.
stats=0
args=()
for a in "$@"; do
    if [ "$a" = --stats ] && [ ${#args[@]} = 0 ]; then stats=1; else args+=("$a"); fi
done
err=$(mktemp)
python3 -E -s -B "${args[@]}" 2> "$err"
rc=$?
if grep -q '^Traceback (most recent call last):' "$err"; then
    # runtime error: drop caret lines, make the script path relative
    grep -v -E '^ *[~^][ ~^]*$' "$err" | sed "s|File \"$PWD/|File \"|" >&2
else
    cat "$err" >&2    # e.g. a SyntaxError report: keep its caret line
fi
rm -f "$err"
if [ $stats = 1 ]; then
    printf -- '--- toy stats ---\nallocated: 1\nfreed: 1\npeak live: 1\nleaked: 0\n' >&2
fi
exit $rc
