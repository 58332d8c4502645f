# A call with very many keyword arguments must compile in linear time: the
# parser and then the compiler once compared each keyword with every earlier
# one (40,000 keywords took ~8 s).
. tests/tools/testlib.sh
n=50000
names() {  # names PREFIX COUNT SUFFIX: "p0SUFFIX, p1SUFFIX, ..."
    awk -v p="$1" -v n="$2" -v s="$3" 'BEGIN { for (i = 0; i < n; i++) printf "%s%s%d%s", (i ? ", " : ""), p, i, s }'
}
run_limited() { timeout 10 "$TOY" "$@" < /dev/null > "$TMP/out" 2> "$TMP/err"; rc=$?; }
f=$TMP/kwargs.toy
{ printf 'def f(**kw):\n    return len(kw)\nprint(f('; names k $n =0; printf '))\n'; } > "$f"
run_limited "$f"; expect_status 0; expect_stdout "$n"
# A repeat is still caught, at the repeated keyword.
f=$TMP/dupkw.toy
{ printf 'print('; names k 2000 =0; printf ', k17=1)\n'; } > "$f"
run_limited "$f"; expect_status 1
expect_in_stderr "SyntaxError: keyword argument repeated: k17"
exit 0
