# --no-gil: the watchdog (core/hangwatch.h) never reports a program that only
# waits a long time: a join on a thread that sleeps, computes or reads input,
# and a lock acquired with a timeout all end by themselves. Each wait below
# lasts several times the watchdog's limit.
. tests/tools/testlib.sh
export TSAN_OPTIONS="report_bugs=0"
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
export TOY_NOGIL_WATCHDOG=0.3

# check_not_flagged WHAT: the run in $TMP ended normally with "ok" printed,
# or was stopped by the race detector (status 3 and its report): the two
# threads both count the Thread's Condition, and without the GIL that count
# may race; that is the lesson of --no-gil, not a hang.
check_not_flagged() {
    if grep -q "program hung" "$TMP/err"; then dump; fail "$1: reported as hung"; fi
    if [ "$rc" = 3 ] && grep -q "reference-count race detected" "$TMP/err"; then return 0; fi
    expect_status 0
    expect_stdout "ok"
}

sleeper='import threading, time
t = threading.Thread(target=time.sleep, args=(1.5,))
t.start()
t.join()
print("ok")'
run_toy --no-gil -c "$sleeper"
check_not_flagged "a join on a sleeping thread"

computer='import threading, time
def spin():
    end = time.monotonic() + 1.5
    while time.monotonic() < end:
        pass
t = threading.Thread(target=spin)
t.start()
t.join()
print("ok")'
run_toy --no-gil -c "$computer"
check_not_flagged "a join on a computing thread"

timed='import _thread
l = _thread.allocate_lock()
l.acquire()
print("ok" if not l.acquire(timeout=1.5) else "acquired?")'
run_toy --no-gil -c "$timed"
check_not_flagged "a lock acquired with a timeout"

reader='import threading
got = []
t = threading.Thread(target=lambda: got.append(input()))
t.start()
t.join()
print(got[0])'
(sleep 1.5; echo ok) | "$TOY" --no-gil -c "$reader" >"$TMP/out" 2>"$TMP/err"
rc=$?
check_not_flagged "a join on a thread reading input"
exit 0
