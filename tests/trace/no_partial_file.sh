# The --gil-trace file is a complete trace or nothing: a script that raises
# still gets its trace (of what ran), but a run that ends before the trace is
# written (os._exit, a signal) or whose trace cannot be written leaves no
# file behind, and an older trace at that path stays as it was.
. tests/tools/testlib.sh

run_toy --gil-trace="$TMP/raised.json" -c 'raise ValueError("late")'
expect_status 1
expect_in_stderr "ValueError: late"
"$TOY" tests/trace/check_trace.py "$TMP/raised.json" > "$TMP/check" 2>&1 ||
    { cat "$TMP/check"; fail "a script that raised did not leave a valid trace"; }

run_toy --gil-trace="$TMP/exit.json" -c 'import os; os._exit(4)'
expect_status 4
[ ! -e "$TMP/exit.json" ] || fail "os._exit left a trace file that was never written"

# (a subshell, so that bash does not report the kill on stderr)
(exec "$TOY" --gil-trace="$TMP/killed.json" -c 'import os, signal; os.kill(os.getpid(), signal.SIGKILL)') \
    > /dev/null 2>&1
[ ! -e "$TMP/killed.json" ] || fail "a killed run left a trace file that was never written"

# A write that fails half-way (file size limit: EFBIG instead of SIGXFSZ,
# which is ignored): an error, status 1, and the old file untouched. The
# output goes through a pipe, which the size limit does not apply to.
echo "an older trace" > "$TMP/full.json"
(trap '' XFSZ; ulimit -f 0; "$TOY" --gil-trace="$TMP/full.json" -c 'print(42)' 2>&1; echo "status $?") |
    cat > "$TMP/full.out"
grep -qx 42 "$TMP/full.out" || { cat "$TMP/full.out"; fail "the program did not run"; }
grep -q "toy: error writing --gil-trace file" "$TMP/full.out" ||
    { cat "$TMP/full.out"; fail "no error for a trace that could not be written"; }
grep -qx "status 1" "$TMP/full.out" || { cat "$TMP/full.out"; fail "expected status 1"; }
[ "$(cat "$TMP/full.json")" = "an older trace" ] || fail "a failed write replaced the old file"
leftovers=$(find "$TMP" -name '*.tmp')
[ -z "$leftovers" ] || fail "temporary trace file left behind: $leftovers"

# A path that is not a regular file is written directly (here, a pipe).
"$TOY" --gil-trace=/dev/stdout -c 'pass' > "$TMP/direct.json" ||
    fail "--gil-trace=/dev/stdout failed"
"$TOY" tests/trace/check_trace.py "$TMP/direct.json" > "$TMP/check" 2>&1 ||
    { cat "$TMP/check"; fail "--gil-trace=/dev/stdout did not write a valid trace"; }
exit 0
