# --dis shows each superinstruction with both halves' arguments and
# meanings, and the words it skips marked "+".
. tests/tools/testlib.sh
run_toy --dis -c '
def f(n):
    t = 0
    for i in range(n):
        t = t + i
    while t > 0:
        t = t - 1
    print(t, i)
    print(t, 0)
    y = t
    z = y, t
    return z
'
expect_status 0
expect_in_stdout 'FOR_ITER_STORE_FAST'
expect_in_stdout '(i)'
expect_in_stdout '+ STORE_FAST               2 (i)'
expect_in_stdout 'LOAD_FAST_LOAD_FAST   1, 2 (t) (i)'
expect_in_stdout '+ LOAD_FAST                2 (i)'
expect_in_stdout 'LOAD_FAST_LOAD_CONST  1, 0 (t) (0)'
# Runs of three and four words: each skipped word is marked.
expect_in_stdout 'LOAD_FAST_LOAD_FAST_BINOP  1, 2 (t) (i)'
expect_in_stdout '+ BINARY_OP                0 (+)'
expect_in_stdout 'LOAD_FAST_LOAD_CONST_BINOP  1, 1 (t) (1)'
expect_in_stdout 'LOAD_FAST_LOAD_CONST_COMPARE_JUMP  1, 0 (t) (0)'
expect_in_stdout '+ COMPARE_OP               4 (>)'
expect_in_stdout '+ POP_JUMP_IF_FALSE'
expect_in_stdout 'STORE_FAST_JUMP'
expect_in_stdout '+ JUMP'
expect_in_stdout 'STORE_FAST_LOAD_FAST  3, 3 (y) (y)'
# `z = ...; return z`: the return of a local is preferred to the store's
# pair, which would take the load as its second word.
expect_in_stdout 'STORE_FAST               4 (z)'
expect_in_stdout 'LOAD_FAST_RETURN_VALUE  4, 0 (z)'
expect_in_stdout '+ RETURN_VALUE'
# A jump target never starts the second half of a pair: the loop head
# after `t = 0` stays a plain instruction.
if grep -qE ">> +[0-9]+ \+ " "$TMP/out"; then
    fail "a jump target is the second half of a superinstruction"
fi

# An identity test and its jump fuse into three words after an attribute
# pair, and into four with the load of a local.
run_toy --dis -c '
def g(a, o):
    if a is None:
        if o.link is not None:
            return 1
'
expect_status 0
expect_in_stdout 'LOAD_FAST_LOAD_CONST_IS_JUMP  0, 0 (a) (None)'
expect_in_stdout '+ LOAD_CONST               0 (None)'
expect_in_stdout '+ IS_OP                    0 (is)'
expect_in_stdout 'LOAD_CONST_IS_JUMP    0, 1 (None) (is not)'
expect_in_stdout '+ IS_OP                    1 (is not)'
expect_in_stdout 'LOAD_FAST_LOAD_ATTR   1, 0 (o) (link)'

# A compare whose left operand is on the stack and whose right one is a
# constant or a local fuses with that load.
run_toy --dis -c '
def h(n, d):
    if n % d == 0:
        return d * d <= n
'
expect_status 0
expect_in_stdout 'LOAD_CONST_COMPARE    0, 2 (0) (==)'
expect_in_stdout 'LOAD_FAST_COMPARE     0, 1 (n) (<=)'
expect_in_stdout '+ COMPARE_OP               1 (<=)'

# A test of membership in a local reads the container in its slot; the
# pair is preferred to LOAD_FAST_LOAD_FAST, which would take its load.
run_toy --dis -c '
def m(c, cols):
    if c not in cols:
        return c in cols
'
expect_status 0
expect_in_stdout 'LOAD_FAST_CONTAINS    1, 1 (cols) (not in)'
expect_in_stdout 'LOAD_FAST_CONTAINS    1, 0 (cols) (in)'
expect_in_stdout '+ CONTAINS_OP              0 (in)'
