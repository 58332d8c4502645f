# --no-gil: threads taking and dropping references to one shared object race
# on its count. Run shared_refs.toy up to 20 times, longer as it goes, until
# the race detector reports an anomaly (exit status 3 and an explanation) or
# a leak, and check the report says what a learner needs: the kind of race,
# the type of the object, and that the GIL was off.
. tests/tools/testlib.sh
if [ "$(nproc 2>/dev/null || echo 1)" -lt 2 ]; then
    skip "one CPU core: threads without the GIL never run at the same moment, so they cannot race"
fi
# Under a sanitizer build the sanitizer may see the race first (tsan_nogil.sh
# checks that); here let toy's own detector do the catching. Objects leaked
# by lost decrements are the lesson here, reported by --stats, not by LSan.
export TSAN_OPTIONS="report_bugs=0"
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
# A race that leaves every thread waiting for ever is reported by the
# watchdog (exit status 3 too); the outer timeout is only a safety net.
export TOY_NOGIL_WATCHDOG=5
# An attempt takes milliseconds, short enough for the threads to miss each
# other on a busy machine (each finishes within its time slice), so every
# fourth attempt runs four times as many rounds, up to 1,280,000.
rounds=20000
for attempt in $(seq 1 20); do
    if [ $attempt -gt 1 ] && [ $(( (attempt - 1) % 4 )) = 0 ] && [ $rounds -lt 1280000 ]; then
        rounds=$((rounds * 4))
    fi
    timeout -s KILL 60 "$TOY" --stats --no-gil tests/race/shared_refs.toy 4 $rounds \
        </dev/null >"$TMP/out" 2>"$TMP/err"
    rc=$?
    if [ "$rc" = 137 ]; then dump; fail "attempt $attempt: hung without the watchdog's report"; fi
    if [ "$rc" = 3 ] && grep -q "^toy: the program hung" "$TMP/err"; then
        expect_in_stderr "toy: stopped with exit status 3 (every thread hung)"
        echo "attempt $attempt: hung, explained by the watchdog"
        continue
    fi
    if [ "$rc" = 3 ]; then
        expect_in_stderr "toy: reference-count race detected: "
        expect_stderr_matches "race detected: (use after free|double free|negative reference count)"
        expect_stderr_matches "object: (a '[A-Za-z_ ]+' object at|at 0x)"
        expect_in_stderr "what happened: "
        expect_in_stderr "the GIL is off (--no-gil)"
        expect_in_stderr "one update"
        expect_in_stderr "toy: stopped with exit status 3"
        # --stats still comes out, after the report, and counts the anomaly.
        grep -qx -- '--- toy stats ---' "$TMP/err" || { dump; fail "no stats block after the report"; }
        grep -qE '^anomalies: [1-9][0-9]*$' "$TMP/err" || { dump; fail "stats do not count the anomaly"; }
        # Nothing was torn down: what is still alive is not called a leak.
        # (The count of objects alive comes from the allocator's counters,
        # which the race itself may have garbled, so only the note is sure.)
        expect_in_stderr "nothing was torn down"
        if grep -q '^alive when stopped:' "$TMP/err"; then
            grep -qE '^alive when stopped: [1-9][0-9]*$' "$TMP/err" || { dump; fail "bad 'alive when stopped' line"; }
        fi
        grep -qx 'leaked: 0' "$TMP/err" || { dump; fail "objects not torn down counted as leaked"; }
        echo "attempt $attempt: caught: $(grep -m1 'race detected' "$TMP/err")"
        exit 0
    fi
    if grep -q "ERROR: AddressSanitizer" "$TMP/err"; then
        echo "attempt $attempt: AddressSanitizer caught the race first"
        exit 0
    fi
    if [ "$rc" -gt 128 ]; then
        # A crash is acceptable only with the explanation printed first.
        expect_in_stderr "with the GIL off (--no-gil)"
        echo "attempt $attempt: crashed with signal $((rc - 128)), explained"
        exit 0
    fi
    expect_status 0
    if ! grep -qx 'leaked: 0' "$TMP/err"; then
        echo "attempt $attempt: lost decrements: $(grep -m1 '^leaked:' "$TMP/err")"
        exit 0
    fi
done
dump
fail "20 runs under --no-gil and no race was caught"
