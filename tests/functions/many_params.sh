# Checks for repeated names must stay linear: a def with very many
# parameters and a call with very many keyword arguments once compared each
# name with every earlier one (100,000 parameters took ~10 s to compile).
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
{ printf 'def f(*, '; names k $n =1; printf '):\n    return k0 + k%d\nprint(f())\n' $((n - 1)); } > "$f"
run_limited "$f"; expect_status 0; expect_stdout 2
f=$TMP/kwargs.toy
{ printf 'def f(**kw):\n    return len(kw)\nprint(f('; names k $n =0; printf '))\n'; } > "$f"
run_limited "$f"; expect_status 0; expect_stdout "$n"
# A repeat is still caught, at the repeated name.
f=$TMP/dup.toy
{ printf 'def f('; names p 5000 ""; printf ', p4999):\n    pass\n'; } > "$f"
run_limited "$f"; expect_status 1
expect_in_stderr "SyntaxError: duplicate argument 'p4999' in function definition"
f=$TMP/dupkw.toy
{ printf 'print('; names k 5000 =0; printf ', k17=1)\n'; } > "$f"
run_limited "$f"; expect_status 1
expect_in_stderr "SyntaxError: keyword argument repeated: k17"
exit 0
