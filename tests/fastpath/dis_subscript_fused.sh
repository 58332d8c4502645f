# --dis shows the fused subscript instructions: the triple
# LOAD_FAST_CONST_SUBSCR with both skipped words marked "+", the triple
# LOAD_FAST_LOAD_FAST_SUBSCR (a[i] of two locals, fused even when the first
# LOAD_FAST could pair with the one before it), and the pairs of
# a[i] op= x, whose halves have no arguments.
. tests/tools/testlib.sh
run_toy --dis -c '
def f(a, x):
    y = a[0]
    a[1] -= x
    return y

def g(s, a, i):
    return s + a[i]
'
expect_status 0
expect_in_stdout 'LOAD_FAST_CONST_SUBSCR  0, 0 (a) (0)'
expect_in_stdout '+ LOAD_CONST               0 (0)'
expect_in_stdout '+ BINARY_SUBSCR'
expect_in_stdout 'LOAD_FAST_LOAD_FAST_SUBSCR  1, 2 (a) (i)'
expect_in_stdout '+ LOAD_FAST                2 (i)'
expect_in_stdout 'DUP_TOP_TWO_SUBSCR'
expect_in_stdout 'ROT_THREE_STORE_SUBSCR'
expect_in_stdout '+ STORE_SUBSCR'
# The word after a triple's two skipped words is an instruction of its own.
if grep -qE "\+ STORE_FAST_LOAD_FAST" "$TMP/out"; then
    fail "the word after a triple is marked as skipped"
fi
