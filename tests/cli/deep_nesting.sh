# Very deep but well-formed nesting: either it runs correctly (status 0, right
# output) or it is rejected cleanly (status 1, SyntaxError / RecursionError /
# MemoryError on stderr).  Never a crash.
. tests/tools/testlib.sh
accept() {  # accept EXPECTED_STDOUT
    expect_no_crash
    if [ "$rc" = 0 ]; then
        expect_stdout "$1"
    elif [ "$rc" = 1 ]; then
        expect_stderr_matches '(SyntaxError|RecursionError|MemoryError)'
    else
        dump; fail "unexpected exit status $rc"
    fi
}
n=100000
rep() { printf '%*s' "$2" '' | sed "s/ /$1/g"; }
# -(-(-(...(1)...)))
f=$TMP/neg_parens.toy
{ printf 'x = '; rep '-(' $n; printf 1; rep ')' $n; printf '\nprint(x)\n'; } > "$f"
run_toy "$f"; accept 1
# - - - ... 1
f=$TMP/neg.toy
{ printf 'x = '; rep '- ' $n; printf '1\nprint(x)\n'; } > "$f"
run_toy "$f"; accept 1
# not not ... True
f=$TMP/not.toy
{ printf 'x = '; rep 'not ' $n; printf 'True\nprint(x)\n'; } > "$f"
run_toy "$f"; accept True
# [[[...]]]
f=$TMP/list.toy
{ printf 'x = '; rep '[' $n; rep ']' $n; printf '\nprint(len(x))\n'; } > "$f"
run_toy "$f"; accept 1
# 1 + 1 + ... (long but flat): must work
f=$TMP/flat.toy
{ printf 'x = 0'; rep ' + 1' 20000; printf '\nprint(x)\n'; } > "$f"
run_toy "$f"; accept 20000
