# -c CODE runs CODE; errors are reported as File "<string>".
. tests/tools/testlib.sh
run_toy -c 'print(1+1)'
expect_status 0
expect_stdout 2
expect_stderr_empty
run_toy -c 'x = [1, 2]
for v in x:
    print(v * 10)'
expect_status 0
expect_stdout "10
20"
run_toy -c '1/0'
expect_status 1
expect_in_stderr 'File "<string>", line 1, in <module>'
expect_in_stderr 'ZeroDivisionError: division by zero'
