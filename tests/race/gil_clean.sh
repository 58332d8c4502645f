# The GIL-mode counterpart of nogil_detects.sh: the same threads, with the
# GIL on, never lose an update. Every run: drift 0, leaked 0, anomalies 0.
. tests/tools/testlib.sh
for attempt in 1 2 3; do
    run_toy --stats tests/race/shared_refs.toy 4 20000
    expect_status 0
    expect_stdout "drift: 0"
    grep -qx 'leaked: 0' "$TMP/err" || { dump; fail "leak with the GIL on"; }
    grep -qx 'anomalies: 0' "$TMP/err" || { dump; fail "anomalies with the GIL on"; }
    grep -qx 'gil: on' "$TMP/err" || { dump; fail "expected 'gil: on'"; }
done
exit 0
