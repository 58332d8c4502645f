# --no-gil: threads importing one module at once still run its body once
# (the import locks do not depend on the GIL). The race detector may stop
# the program (status 3) over the plain reference counts of shared objects;
# anything else must be the right answer.
. tests/tools/testlib.sh
# The refcount races of --no-gil are the lesson, not this test's subject:
# sanitizers are told not to report them (tests/race/ checks those).
export TSAN_OPTIONS="report_bugs=0"
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
for i in 1 2 3; do
    run_toy --no-gil tests/imports/thread_import.toy
    if [ "$rc" = 3 ]; then continue; fi
    expect_status 0
    expect_stdout "['imp_slow body starts', 'imp_slow body ends']
4 True 42"
done
exit 0
