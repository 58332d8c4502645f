# The GIL stress test (stress_gil.toy) under --stats: the script finds no
# anomaly, nothing leaks, the race detector (when built in) reports zero
# anomalies, and the per-thread GIL statistics show the threads switching.
. tests/tools/testlib.sh
case $TOY in *fake_toy*) skip "toy-specific: the GIL statistics of --stats (runner self-check)" ;; esac
run_toy --stats tests/threads/stress_gil.toy
expect_status 0
expect_in_stdout "token reference drift: 0"
expect_in_stdout "anomalies: 0"
grep -qx 'leaked: 0' "$TMP/err" || { dump; fail "expected 'leaked: 0'"; }
if grep -q '^anomalies:' "$TMP/err"; then
    grep -qx 'anomalies: 0' "$TMP/err" || { dump; fail "the race detector reported anomalies under the GIL"; }
fi
grep -qx 'gil: on' "$TMP/err" || { dump; fail "expected 'gil: on' in the stats"; }
total=$(grep -E '^ +total +acquisitions' "$TMP/err")
[ -n "$total" ] || { dump; fail "no per-thread GIL totals"; }
acq=$(echo "$total" | awk '{ print $3 }')
# 48 worker threads and the main thread: each takes the GIL at least once,
# and with a 0.1 ms switch interval they hand it over many more times.
[ "$acq" -gt 100 ] || { dump; fail "expected many GIL acquisitions, got $acq"; }
exit 0
