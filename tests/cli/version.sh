# --version prints "Toy <version>" on stdout, status 0.
. tests/tools/testlib.sh
run_toy --version
expect_status 0
grep -qE '^Toy [^ ]' "$TMP/out" || { dump; fail "expected 'Toy <version>' on stdout"; }
