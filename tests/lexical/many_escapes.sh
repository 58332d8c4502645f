# A literal with very many escapes must decode in time linear in its length
# (each \x/\u escape once rescanned the literal from its start to compute a
# position used only in error messages: 80,000 escapes took seconds).
. tests/tools/testlib.sh
n=200000
rep() { printf '%*s' "$2" '' | sed "s/ /$1/g"; }
f=$TMP/bytes.toy
{ printf "b = b'"; rep '\\x41' $n; printf "'\nprint(len(b), b[:3], b[-1])\n"; } > "$f"
run_toy_limited() { timeout 10 "$TOY" "$@" < /dev/null > "$TMP/out" 2> "$TMP/err"; rc=$?; }
run_toy_limited "$f"; expect_status 0; expect_stdout "$n b'AAA' 65"
f=$TMP/str.toy
{ printf "s = '"; rep '\\u00e9\\U0001F600' $n; printf "'\nprint(len(s), s[:2] == '\\\\xe9\\\\U0001F600')\n"; } > "$f"
run_toy_limited "$f"; expect_status 0; expect_stdout "$((2 * n)) True"
# The error position is still right after many escapes.
f=$TMP/bad.toy
{ printf "s = '"; rep '\\x41' 1000; printf "\\\\x4'\n"; } > "$f"
run_toy_limited "$f"; expect_status 1
expect_in_stderr "SyntaxError: (unicode error) 'unicodeescape' codec can't decode bytes in position 4000-4002: truncated \\xXX escape"
exit 0
