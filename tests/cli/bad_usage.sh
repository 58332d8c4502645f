# An unknown option: a usage line on stderr, status 2, nothing on stdout.
. tests/tools/testlib.sh
run_toy --bogus
expect_status 2
expect_stdout_empty
grep -qi 'usage' "$TMP/err" || { dump; fail "no usage line on stderr"; }
