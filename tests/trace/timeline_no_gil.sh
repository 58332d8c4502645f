# --no-gil --gil-trace=-: no lock to draw, but still a row per thread, showing
# when each ran, and a header that says there is no lock.
. tests/tools/testlib.sh
# Without the GIL the threads' reference counts race by design; under
# ThreadSanitizer (make tsan) that is reported, which is not what this tests.
export TSAN_OPTIONS="${TSAN_OPTIONS:-} report_bugs=0"
run_toy --no-gil --gil-trace=- -c '
import threading
t = threading.Thread(target=lambda: sum(range(1000)), name="solo")
t.start()
t.join()
print("ok")'
[ "$rc" = 3 ] && skip "the race detector stopped this run (a real race): nothing to check"
expect_status 0
expect_stdout "ok"
expect_in_stderr "--no-gil: there is no lock"
rows=$(grep -cE '^[^ ].* \|.{72}\| +[0-9]+%$' "$TMP/err")
[ "$rows" = 2 ] || { dump; fail "expected 2 timeline rows, got $rows"; }
exit 0
