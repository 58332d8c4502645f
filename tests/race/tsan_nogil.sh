# With a ThreadSanitizer build (make tsan): under --no-gil, TSan itself sees
# the lesson: threads updating the same reference count with no lock between
# them, a data race in incref_/decref_. (The GIL-mode half, TSan silent on the
# threaded tests, is `make tsan` running tests/threads/ with halt_on_error.)
. tests/tools/testlib.sh
grep -q "__tsan_init" "$TOY" || skip "needs a ThreadSanitizer build of toy (make tsan)"
# Report every race and carry on; toy's own detector may then stop the run.
TSAN_OPTIONS="halt_on_error=0 exitcode=0 report_signal_unsafe=0" \
    run_toy --no-gil tests/race/shared_refs.toy 2 2000
expect_in_stderr "WARNING: ThreadSanitizer: data race"
grep -qE '#[0-9]+ (incref_|decref_|newref_|object_dealloc|race_dealloc) ' "$TMP/err" ||
    { dump; fail "TSan reported no race in the reference-count code"; }
# And with the GIL the same script is race-free.
TSAN_OPTIONS="halt_on_error=1 exitcode=66" run_toy tests/race/shared_refs.toy 2 2000
expect_status 0
expect_stdout "drift: 0"
if grep -q "ThreadSanitizer" "$TMP/err"; then dump; fail "TSan reported a race with the GIL on"; fi
exit 0
