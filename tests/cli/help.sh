# --help: usage on stdout, status 0.
. tests/tools/testlib.sh
run_toy --help
expect_status 0
grep -qi 'usage' "$TMP/out" || { dump; fail "no usage on stdout"; }
