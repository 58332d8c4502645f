# --stats prints the allocation block at exit on stderr; without it, nothing.
. tests/tools/testlib.sh
run_toy --stats -c 'x = [1, 2]
d = {"k": x}
print(len(x))'
expect_status 0
expect_stdout 2
grep -qx -- '--- toy stats ---' "$TMP/err" || { dump; fail "no stats header"; }
for key in 'allocated' 'freed' 'peak live'; do
    grep -qE "^$key: [0-9]+\$" "$TMP/err" || { dump; fail "no '$key: N' line"; }
done
grep -qx 'leaked: 0' "$TMP/err" || { dump; fail "expected 'leaked: 0'"; }
# stats are printed also after an uncaught exception and after sys.exit
run_toy --stats -c 'import sys
sys.exit(3)'
expect_status 3
grep -qx -- '--- toy stats ---' "$TMP/err" || { dump; fail "no stats after sys.exit"; }
run_toy -c 'print(1)'
expect_status 0
expect_stderr_empty
