# A missing script: status 2 and an error mentioning the path
# (python3: "can't open file '...': [Errno 2] No such file or directory").
. tests/tools/testlib.sh
f=$TMP/does/not/exist.toy
run_toy "$f"
expect_status 2
expect_stdout_empty
expect_in_stderr "$f"
