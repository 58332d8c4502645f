# toy --help documents --no-gil's race detector and its exit status 3.
. tests/tools/testlib.sh
run_toy --help
expect_status 0
expect_in_stdout "--no-gil"
expect_in_stdout "exit status 3"
expect_in_stdout "3 reference-count race or hang caught (--no-gil)"
