# --no-gil --no-race-detector: objects are freed at once, unchecked (for
# timing --no-gil without the detector's cost). A single-threaded program
# runs exactly as with the GIL: no anomalies, nothing leaked.
. tests/tools/testlib.sh
run_toy --stats --no-gil --no-race-detector -c 'xs = [[i, str(i)] for i in range(20000)]
print(sum(len(x[1]) for x in xs))'
expect_status 0
expect_stdout 88890
grep -qx 'leaked: 0' "$TMP/err" || { dump; fail "expected 'leaked: 0'"; }
grep -qx 'anomalies: 0' "$TMP/err" || { dump; fail "expected 'anomalies: 0'"; }
grep -qx 'gil: off (--no-gil)' "$TMP/err" || { dump; fail "expected 'gil: off (--no-gil)'"; }
run_toy --help
expect_in_stdout "--no-race-detector"
