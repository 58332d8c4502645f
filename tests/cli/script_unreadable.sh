# A script that is a directory or cannot be read is reported, never run as
# an empty program. python3: "can't find '__main__' module in '/abs/dir'"
# (status 1) for a directory; "can't open file '/abs/path': [Errno 2] No
# such file or directory" (status 2), the path made absolute.
. tests/tools/testlib.sh
mkdir -p "$TMP/dir"
run_toy "$TMP/dir"
expect_status 1
expect_stdout_empty
expect_in_stderr "can't find '__main__' module in '$TMP/dir'"
# A relative path is shown with the working directory in front.
run_toy tests/cli
expect_status 1
expect_in_stderr "can't find '__main__' module in '$PWD/tests/cli'"
run_toy tests/cli/no_such_script.toy
expect_status 2
expect_stdout_empty
expect_in_stderr "can't open file '$PWD/tests/cli/no_such_script.toy': [Errno 2] No such file or directory"
# A read error on standard input (here: it is a directory) is an error too.
TOY_STDIN=$TMP/dir run_toy -
expect_status 2
expect_stdout_empty
expect_in_stderr "[Errno 21]"
exit 0
