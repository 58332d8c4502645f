# --no-gil: a run in which every thread waits for ever is explained by the
# watchdog (core/hangwatch.h), not left hung. TOY_TEST_LOSE_RELEASE=N loses
# the Nth release() of a lock, as a lost update of its state would: the lock
# stays locked and whoever waits for it waits for ever.
. tests/tools/testlib.sh
export TSAN_OPTIONS="report_bugs=0"
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
one_thread='import _thread
l = _thread.allocate_lock()
l.acquire()
l.release()
print("released", flush=True)
l.acquire()
print("acquired")'

# run_hung ARGS...: like run_toy, killed after 60 s if the watchdog failed.
run_hung() {
    timeout -s KILL 60 "$TOY" "$@" </dev/null >"$TMP/out" 2>"$TMP/err"
    rc=$?
}

# One thread, waiting for a lock whose release was lost.
TOY_NOGIL_WATCHDOG=1 TOY_TEST_LOSE_RELEASE=1 run_hung --stats --no-gil -c "$one_thread"
expect_status 3
expect_stdout "released"
expect_in_stderr "toy: the program hung: its 1 thread has waited for 1.0 s, and none can go on (--no-gil)"
expect_stderr_matches "^  thread 'MainThread' \(native id [0-9]+\) waits for a lock at 0x[0-9a-f]+, since [0-9.]+ s$"
expect_in_stderr "the lock is locked, by this thread itself: it waits for another"
expect_in_stderr "the GIL is off (--no-gil)"
expect_in_stderr "a notify() or release() never reaches its"
expect_in_stderr "toy: stopped with exit status 3 (every thread hung)"
grep -qx -- '--- toy stats ---' "$TMP/err" || { dump; fail "no stats block after the report"; }
grep -qx 'anomalies: 1' "$TMP/err" || { dump; fail "stats do not count the hang"; }

# Two threads: the worker's release of gate is lost, then it waits for a
# lock the main thread holds; the main thread waits for gate.
two_threads='import _thread
gate = _thread.allocate_lock()
held = _thread.allocate_lock()
gate.acquire()
held.acquire()
def worker():
    gate.release()
    held.acquire()
_thread.start_new_thread(worker, ())
gate.acquire()
print("not reached")'
TOY_NOGIL_WATCHDOG=1 TOY_TEST_LOSE_RELEASE=1 run_hung --no-gil -c "$two_threads"
expect_status 3
expect_stdout_empty
expect_in_stderr "toy: the program hung: all 2 threads have waited for 1.0 s"
expect_stderr_matches "^  thread 'MainThread' \(native id [0-9]+\) waits for a lock at 0x"
expect_stderr_matches "^  thread 'thread-1' \(native id [0-9]+\) waits for a lock at 0x"
expect_in_stderr "the lock is locked, by this thread itself: it waits for another"
expect_in_stderr "the lock is locked, acquired last by thread 'MainThread', which waits too"

# The thread that took the lock ended without releasing it (here the
# program's own bug; under --no-gil a race can end it with an exception).
ended='import threading
l = threading.Lock()
t = threading.Thread(target=l.acquire, name="taker")
t.start()
t.join()
l.acquire()'
TOY_NOGIL_WATCHDOG=1 run_hung --no-gil -c "$ended"
expect_status 3
expect_in_stderr "the lock is locked, acquired last by thread 'taker', which has ended"

# TOY_NOGIL_WATCHDOG=0: no watchdog, the run hangs (killed here).
TOY_NOGIL_WATCHDOG=0 TOY_TEST_LOSE_RELEASE=1 timeout -s KILL 2 "$TOY" --no-gil -c "$one_thread" \
    </dev/null >"$TMP/out" 2>"$TMP/err"
rc=$?
[ "$rc" = 137 ] || { dump; fail "TOY_NOGIL_WATCHDOG=0 should leave the hang alone (status $rc)"; }
if grep -q "hung" "$TMP/err"; then dump; fail "a report with the watchdog off"; fi

# With the GIL neither the hook nor the watchdog exists.
TOY_NOGIL_WATCHDOG=1 TOY_TEST_LOSE_RELEASE=1 run_toy -c "$one_thread"
expect_status 0
expect_stdout "released
acquired"
expect_stderr_empty

# A bad limit is bad usage.
TOY_NOGIL_WATCHDOG=soon run_toy --no-gil -c 'print(1)'
expect_status 2
expect_in_stderr "toy: TOY_NOGIL_WATCHDOG takes a number of seconds (0: off), not 'soon'"
exit 0
