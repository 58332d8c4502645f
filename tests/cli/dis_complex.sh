# --dis shows complex constants as CPython does: 1j, and -1j folded into
# one constant (-0-1j).
. tests/tools/testlib.sh
run_toy --dis -c 'x = 1j; y = -1j; z = (1j, 2.5j)'
expect_status 0
expect_in_stdout 'LOAD_CONST               0 (1j)'
expect_in_stdout 'LOAD_CONST               1 ((-0-1j))'
expect_in_stdout 'LOAD_CONST               2 ((1j, 2.5j))'
