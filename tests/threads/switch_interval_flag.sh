# --switch-interval=MS sets what sys.getswitchinterval() reads;
# sys._is_gil_enabled() says whether --no-gil is in force.
. tests/tools/testlib.sh
case $TOY in *fake_toy*) skip "toy-specific: --switch-interval, --no-gil (runner self-check)" ;; esac
run_toy --switch-interval=2 -c 'import sys; print(sys.getswitchinterval(), sys._is_gil_enabled())'
expect_status 0
expect_stdout "0.002 True"
run_toy -c 'import sys; print(sys.getswitchinterval(), sys._is_gil_enabled())'
expect_status 0
expect_stdout "0.005 True"
run_toy --no-gil -c 'import sys; print(sys._is_gil_enabled())'
expect_status 0
expect_stdout "False"
# The threaded tests also pass with a very short interval (many handovers).
run_toy --switch-interval=1 --stats tests/threads/queue_producers_consumers.toy
expect_status 0
cmp -s "$TMP/out" tests/threads/queue_producers_consumers.out || { dump; fail "output differs with --switch-interval=1"; }
grep -qx 'leaked: 0' "$TMP/err" || { dump; fail "leak with --switch-interval=1"; }
exit 0
