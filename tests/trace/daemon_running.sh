# A daemon thread still running at exit keeps its record (it may still be
# writing it): the file is valid, leaves it out and says so.
. tests/tools/testlib.sh
run_toy --gil-trace="$TMP/t.json" -c '
import threading, time
def forever():
    while True:
        time.sleep(0.01)
threading.Thread(target=forever, daemon=True, name="ghost").start()
time.sleep(0.05)
print("bye")'
expect_status 0
expect_stdout "bye"
"$TOY" tests/trace/check_trace.py "$TMP/t.json" > "$TMP/check" 2>&1 ||
    { cat "$TMP/check"; fail "check_trace.py rejected the trace"; }
grep -qx 'threads: 1' "$TMP/check" || { cat "$TMP/check"; fail "expected only MainThread"; }
grep -q '"threads_not_shown": 1' "$TMP/t.json" || fail "the file should say 1 thread is not shown"
exit 0
