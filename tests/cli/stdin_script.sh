# No arguments and stdin not a terminal: stdin is read as a whole script (like
# python3): expression statements print nothing, the error stops the run.
. tests/tools/testlib.sh
printf '1+2\nx = 5\nx\nfor i in range(2):\n    print(i)\n\n1/0\nprint("after")\n' > "$TMP/prog"
TOY_STDIN=$TMP/prog run_toy
expect_status 1
expect_stdout "0
1"
expect_in_stderr 'File "<stdin>", line 7, in <module>'
expect_in_stderr 'ZeroDivisionError: division by zero'
