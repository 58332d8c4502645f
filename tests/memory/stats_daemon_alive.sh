# A daemon thread still running at exit may be using any object, so nothing
# is torn down. --stats then counts the objects still alive on their own
# line, "alive in running threads: N", and not as leaks ("leaked: 0"); once
# every thread has ended, the same program's objects are all freed.
. tests/tools/testlib.sh
# Nothing is freed in the first run, on purpose: keep LeakSanitizer quiet.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
f=$TMP/daemon.toy
cat > "$f" <<'TOY'
import sys, threading
started = threading.Event()
stop = threading.Event()
def worker():
    table = [[i] for i in range(500)]
    started.set()
    stop.wait()
    print(len(table))
t = threading.Thread(target=worker, daemon=True)
t.start()
started.wait()
if len(sys.argv) > 1:
    stop.set()
    t.join()
print("main done")
TOY
run_toy --stats "$f"
expect_status 0
expect_stdout "main done"
expect_in_stderr "note: 1 daemon thread(s) still running: nothing was torn down"
grep -qx 'leaked: 0' "$TMP/err" || { dump; fail "expected 'leaked: 0' with a thread still running"; }
alive=$(sed -n 's/^alive in running threads: //p' "$TMP/err")
[ -n "$alive" ] && [ "$alive" -gt 500 ] || { dump; fail "expected 'alive in running threads:' above 500"; }
# the thread ends: everything is torn down, no such line
run_toy --stats "$f" end
expect_status 0
expect_stdout "500
main done"
grep -qx 'leaked: 0' "$TMP/err" || { dump; fail "expected 'leaked: 0' once the thread ended"; }
if grep -q '^alive in running threads' "$TMP/err"; then dump; fail "no thread was running at exit"; fi
