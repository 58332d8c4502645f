# --gil-trace needs a file it can create (status 2 and a reason otherwise),
# and a non-empty argument.
. tests/tools/testlib.sh
run_toy --gil-trace="$TMP/no/such/dir/t.json" -c 'print(1)'
expect_status 2
expect_stdout_empty
expect_in_stderr "can't open --gil-trace file"
run_toy --gil-trace= -c 'print(1)'
expect_status 2
expect_in_stderr "usage"
exit 0
