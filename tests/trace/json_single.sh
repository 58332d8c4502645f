# A program without threads: one track (MainThread), and tracing changes
# nothing else: same output, same stats (leaked: 0).
. tests/tools/testlib.sh
run_toy --stats --gil-trace="$TMP/t.json" -c 'print(sum(range(10)))'
expect_status 0
expect_stdout "45"
expect_in_stderr "leaked: 0"
"$TOY" tests/trace/check_trace.py "$TMP/t.json" > "$TMP/check" 2>&1 ||
    { cat "$TMP/check"; fail "check_trace.py rejected the trace"; }
grep -qx 'threads: 1' "$TMP/check" || { cat "$TMP/check"; fail "expected 1 track"; }
grep -qx 'thread: MainThread' "$TMP/check" || { cat "$TMP/check"; fail "no MainThread track"; }
exit 0
