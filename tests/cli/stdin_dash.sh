# "-" reads the program from stdin.
. tests/tools/testlib.sh
printf 'print(3)\n' > "$TMP/prog"
TOY_STDIN=$TMP/prog run_toy -
expect_status 0
expect_stdout 3
expect_stderr_empty
