# Helpers for Ctrl-C tests (tests/signals/*.sh). Source it after testlib.sh:
#   . tests/tools/testlib.sh
#   . tests/tools/sigint.sh
# A test starts toy in the background, waits until the program says it is
# ready (a line on stderr), sends SIGINT with kill, and waits for the end.
# Every wait is bounded, so a hang fails the test instead of blocking it.

# Background jobs of a non-interactive shell start with SIGINT ignored, and
# a program that starts so keeps ignoring it (CPython and Toy alike): reset
# it to the default for the program under test.
env --default-signal=INT true 2>/dev/null ||
    skip "env --default-signal (coreutils 8.31+) is needed to start toy with SIGINT enabled"

pid=
trap 'if [ -n "$pid" ]; then kill -9 "$pid" 2>/dev/null; fi; rm -rf "$TMP"' EXIT

# start_toy ARGS... : toy in the background; stdin from $TOY_STDIN (default
# /dev/null), stdout to $TOY_OUT (default $TMP/out), stderr to $TMP/err.
# Its pid is in $pid.
start_toy() {
    # emptied here, not only by the background job's redirection, which may
    # run after wait_for_stderr has read the previous run's "ready"
    : > "$TMP/err"
    env --default-signal=INT "$TOY" "$@" < "${TOY_STDIN:-/dev/null}" \
        > "${TOY_OUT:-$TMP/out}" 2> "$TMP/err" &
    pid=$!
}

# wait_for_stderr TEXT : poll (up to 30 s) until a whole line of the program's
# stderr is TEXT. Whole lines, because under ThreadSanitizer stderr also holds
# its reports, whose stack frames (type_ready, ...) contain the usual markers.
wait_for_stderr() {
    local i
    for i in $(seq 600); do
        grep -qxF -- "$1" "$TMP/err" 2>/dev/null && return 0
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    finish_toy 1
    dump
    fail "the program never printed '$1' on stderr"
}

# interrupt : SIGINT to the program (not to its children).
interrupt() { kill -INT "$pid"; }

# finish_toy [SECS] : wait (default up to 30 s) for the program to end; its
# status in $rc. A program still running is killed and the test fails.
finish_toy() {
    local i n=$(( ${1:-30} * 20 ))
    for i in $(seq "$n"); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    if kill -0 "$pid" 2>/dev/null; then
        kill -9 "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        pid=
        rc=124
        dump
        fail "still running ${1:-30} s after SIGINT"
    fi
    wait "$pid"
    rc=$?
    pid=
}

# expect_status_exact N : like expect_status, but 130 (ended by SIGINT) is allowed.
expect_status_exact() {
    [ "$rc" = "$1" ] || { dump; fail "expected exit status $1, got $rc"; }
}
