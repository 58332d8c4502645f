# --dis prints the bytecode.
. tests/tools/testlib.sh
run_toy --dis -c 'x = 1'
expect_status 0
expect_in_stdout LOAD_CONST
expect_in_stdout STORE_NAME
