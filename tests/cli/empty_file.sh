# An empty file, and one with only comments and blank lines, run silently.
. tests/tools/testlib.sh
: > "$TMP/empty.toy"
run_toy "$TMP/empty.toy"
expect_status 0
expect_stdout_empty
expect_stderr_empty
printf '# just a comment\n\n   \n# another\n' > "$TMP/comments.toy"
run_toy "$TMP/comments.toy"
expect_status 0
expect_stdout_empty
expect_stderr_empty
