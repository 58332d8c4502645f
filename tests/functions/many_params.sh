# A def with very many parameters must compile in linear time: the check
# for a repeated name once compared each with every earlier one (100,000
# parameters took ~10 s to compile).
. tests/tools/testlib.sh
n=100000
names() {  # names PREFIX COUNT SUFFIX: "p0SUFFIX, p1SUFFIX, ..."
    awk -v p="$1" -v n="$2" -v s="$3" 'BEGIN { for (i = 0; i < n; i++) printf "%s%s%d%s", (i ? ", " : ""), p, i, s }'
}
run_limited() { timeout 10 "$TOY" "$@" < /dev/null > "$TMP/out" 2> "$TMP/err"; rc=$?; }
f=$TMP/params.toy
{ printf 'def f('; names p $n; printf '):\n    return p0 + p%d\n' $((n - 1))
  printf 'print(f(*range(%d)))\n' $n; } > "$f"
run_limited "$f"; expect_status 0; expect_stdout "$((n - 1))"
f=$TMP/kwonly.toy
{ printf 'def f(*, '; names k 50000 =1; printf '):\n    return k0 + k%d\nprint(f())\n' 49999; } > "$f"
run_limited "$f"; expect_status 0; expect_stdout 2
# A repeat is still caught, at the repeated name.
f=$TMP/dup.toy
{ printf 'def f('; names p 2000 ""; printf ', p1999):\n    pass\n'; } > "$f"
run_limited "$f"; expect_status 1
expect_in_stderr "SyntaxError: duplicate argument 'p1999' in function definition"
exit 0
