# --no-gil: threads importing one module at once still run its body once
# (the import locks do not depend on the GIL). The race detector may stop
# the program (status 3) over the plain reference counts of shared objects;
# anything else must be the right answer.
. tests/tools/testlib.sh
# The refcount races of --no-gil are the lesson, not this test's subject:
# sanitizers are told not to report them (tests/race/ checks those).
export TSAN_OPTIONS="report_bugs=0"
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
# A lost update on the count of an import lock can also leave a thread
# waiting on it for ever: a hung run is killed and counts as a race too.
for i in 1 2 3; do
    timeout -s KILL 60 "$TOY" --no-gil tests/imports/thread_import.toy </dev/null \
        >"$TMP/out" 2>"$TMP/err"
    rc=$?
    if [ "$rc" = 3 ]; then continue; fi
    if [ "$rc" = 137 ]; then echo "run $i: hung (a --no-gil race), killed"; continue; fi
    expect_status 0
    expect_stdout "['imp_slow body starts', 'imp_slow body ends']
4 True 42"
done
exit 0
