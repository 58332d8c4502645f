# --no-gil: threads importing one module at once still run its body once
# (the import locks do not depend on the GIL). The race detector may stop
# the program (status 3) over the plain reference counts of shared objects;
# anything else must be the right answer.
. tests/tools/testlib.sh
# The refcount races of --no-gil are the lesson, not this test's subject:
# sanitizers are told not to report them (tests/race/ checks those).
export TSAN_OPTIONS="report_bugs=0"
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
# A race can also leave every thread waiting for ever (a lost wake-up, a
# lock's state or count garbled): the watchdog then reports the hang itself
# (exit status 3). The outer timeout is only a safety net: a run it kills
# is a hang nobody explained, and fails.
export TOY_NOGIL_WATCHDOG=5
for i in 1 2 3; do
    timeout -s KILL 60 "$TOY" --no-gil tests/imports/thread_import.toy </dev/null \
        >"$TMP/out" 2>"$TMP/err"
    rc=$?
    if [ "$rc" = 3 ]; then
        if grep -q "^toy: the program hung" "$TMP/err"; then
            expect_in_stderr "toy: stopped with exit status 3 (every thread hung)"
            echo "run $i: hung (a --no-gil race), explained by the watchdog"
        fi
        continue
    fi
    if [ "$rc" = 137 ]; then dump; fail "run $i: hung without the watchdog's report"; fi
    expect_status 0
    expect_stdout "['imp_slow body starts', 'imp_slow body ends']
4 True 42"
done
exit 0
