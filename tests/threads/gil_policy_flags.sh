# --gil=POLICY and $TOY_GIL_POLICY choose the GIL's policy; --stats and
# --gil-trace say which one ran; bad values and --no-gil are refused;
# sys.setcheckinterval sets the ticks policy's interval.
. tests/tools/testlib.sh
case $TOY in *fake_toy*) skip "toy-specific: --gil, --stats, --gil-trace (runner self-check)" ;; esac
unset TOY_GIL_POLICY

policy_line() { grep '^gil policy: ' "$TMP/err"; }

run_toy --stats -c 'pass'
expect_status 0
[ "$(policy_line)" = "gil policy: modern (switch interval 5 ms)" ] || { dump; fail "default policy"; }

run_toy --stats --gil=ticks -c 'import sys; sys.setcheckinterval(250); print(sys.getcheckinterval())'
expect_status 0
expect_stdout "250"
[ "$(policy_line)" = "gil policy: ticks (check interval 250)" ] || { dump; fail "ticks policy line"; }

run_toy --stats --gil=priority --switch-interval=2 -c 'pass'
[ "$(policy_line)" = "gil policy: priority (switch interval 2 ms)" ] || { dump; fail "priority policy line"; }

# The environment variable, and the flag over it.
TOY_GIL_POLICY=priority run_toy --stats -c 'pass'
[ "$(policy_line)" = "gil policy: priority (switch interval 5 ms)" ] || { dump; fail "TOY_GIL_POLICY"; }
TOY_GIL_POLICY=priority run_toy --stats --gil=modern -c 'pass'
[ "$(policy_line)" = "gil policy: modern (switch interval 5 ms)" ] || { dump; fail "--gil over TOY_GIL_POLICY"; }

# Refused: an unknown policy, --gil with --no-gil. The variable is ignored
# under --no-gil (a suite run under a policy includes --no-gil tests).
run_toy --gil=fifo -c 'pass'
expect_status 2
expect_in_stderr "toy: --gil takes ticks, modern or priority, not 'fifo'"
TOY_GIL_POLICY=fast run_toy -c 'pass'
expect_status 2
expect_in_stderr "toy: TOY_GIL_POLICY takes ticks, modern or priority, not 'fast'"
run_toy --gil=ticks --no-gil -c 'pass'
expect_status 2
expect_in_stderr "toy: --gil=ticks and --no-gil cannot be combined"
TOY_GIL_POLICY=ticks run_toy --stats --no-gil -c 'pass'
expect_status 0
grep -qx 'gil: off (--no-gil)' "$TMP/err" || { dump; fail "--no-gil with TOY_GIL_POLICY"; }
policy_line > /dev/null && { dump; fail "no policy line expected under --no-gil"; }

# setcheckinterval: values below 1 act as 1; not an int: TypeError.
run_toy -c 'import sys
sys.setcheckinterval(0); print(sys.getcheckinterval())
try:
    sys.setcheckinterval("x")
except TypeError as e:
    print(e)'
expect_status 0
expect_stdout "1
'str' object cannot be interpreted as an integer"

# The trace names the policy: the JSON's otherData and the timeline header.
run_toy --gil=ticks --gil-trace="$TMP/t.json" -c 'pass'
expect_status 0
grep -q '"gil_policy": "ticks", ' "$TMP/t.json" || fail "the trace file lacks gil_policy"
grep -q '"check_interval": 100, ' "$TMP/t.json" || fail "the trace file lacks check_interval"
run_toy --gil=priority --gil-trace=- -c 'pass'
expect_status 0
expect_stderr_matches '^--- GIL timeline: 1 thread, .*, policy priority ---$'
exit 0
