# --dis shows the fused subscript instructions: the triple
# LOAD_FAST_CONST_SUBSCR with both skipped words marked "+", the triple
# LOAD_FAST_LOAD_FAST_SUBSCR (a[i] of two locals, fused even when the first
# LOAD_FAST could pair with the one before it), the pairs of a[i] op= x,
# whose halves have no arguments, when a[i] is not of locals and literals,
# and when it is, the triples that store into local[const] and
# local1[local2] without pushing either (LOAD_FAST_CONST_STORE_SUBSCR,
# LOAD_FAST_LOAD_FAST_STORE_SUBSCR), which local[k] = v takes as well.
. tests/tools/testlib.sh
run_toy --dis -c '
def f(a, x):
    y = a[0]
    a[x + 1] -= x
    a[1] -= x
    a[x] *= 2
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
expect_in_stdout 'LOAD_FAST_CONST_STORE_SUBSCR  0, 1 (a) (1)'
expect_in_stdout 'LOAD_FAST_LOAD_FAST_STORE_SUBSCR  0, 1 (a) (x)'
run_toy --dis -c '
def h(a, i, v):
    a[i] = v
    a[0] = v
'
expect_status 0
expect_in_stdout 'LOAD_FAST_LOAD_FAST_STORE_SUBSCR  0, 1 (a) (i)'
expect_in_stdout 'LOAD_FAST_CONST_STORE_SUBSCR  0, 0 (a) (0)'
if grep -qE "DUP_TOP_TWO|ROT_THREE" "$TMP/out"; then
    fail "a store into a local pushed it"
fi
# The word after a triple's two skipped words is an instruction of its own.
if grep -qE "\+ STORE_FAST_LOAD_FAST" "$TMP/out"; then
    fail "the word after a triple is marked as skipped"
fi
