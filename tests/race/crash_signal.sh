# --no-gil: a crash signal prints the race explanation (write(2) from the
# signal handler) and the process still dies of the signal. With the GIL on,
# toy adds nothing to a crash.
. tests/tools/testlib.sh
script='import time
print("ready", flush=True)
time.sleep(20)'

# crash_with MODE-FLAGS...: start toy, wait for "ready", send SIGSEGV.
crash_with() {
    "$TOY" "$@" -c "$script" > "$TMP/out" 2> "$TMP/err" &
    local pid=$! i
    for i in $(seq 1 100); do
        grep -q ready "$TMP/out" 2>/dev/null && break
        sleep 0.1
    done
    kill -SEGV "$pid"
    wait "$pid"
    rc=$?
}

crash_with --no-gil
[ "$rc" = $((128 + 11)) ] || { dump; fail "expected death by SIGSEGV (status 139), got $rc"; }
expect_in_stderr "toy: fatal signal SIGSEGV"
expect_in_stderr "with the GIL off (--no-gil)"
expect_in_stderr "refcnt++"

# (A sanitizer build reports the signal its own way: only its status differs.)
crash_with
[ "$rc" != 0 ] || { dump; fail "expected toy to die of SIGSEGV"; }
if grep -q "GIL off" "$TMP/err"; then dump; fail "race explanation printed with the GIL on"; fi
exit 0
