# --no-gil --gil-trace=FILE: there is no lock, but the file is still valid,
# names every thread, and says the GIL was off. Never crashes.
. tests/tools/testlib.sh
# Without the GIL the threads' reference counts race by design; under
# ThreadSanitizer (make tsan) that is reported, which is not what this tests.
export TSAN_OPTIONS="${TSAN_OPTIONS:-} report_bugs=0"
cat > "$TMP/prog.toy" <<'PROG'
import threading

def work():
    x = 0
    for i in range(20000):
        x += 1

threads = [threading.Thread(target=work, name="w%d" % i) for i in range(3)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("ok")
PROG
run_toy --no-gil --gil-trace="$TMP/t.json" "$TMP/prog.toy"
# Exit status 3 would be the race detector stopping the program (possible,
# rarely, with unsynchronised threads); the trace file is then not written.
[ "$rc" = 3 ] && skip "the race detector stopped this run (a real race): nothing to check"
expect_status 0
"$TOY" tests/trace/check_trace.py "$TMP/t.json" > "$TMP/check" 2>&1 ||
    { cat "$TMP/check"; fail "check_trace.py rejected the trace"; }
grep -qx 'threads: 4' "$TMP/check" || { cat "$TMP/check"; fail "expected 4 tracks"; }
grep -qx 'gil: off (--no-gil)' "$TMP/check" || { cat "$TMP/check"; fail "should say the GIL was off"; }
exit 0
