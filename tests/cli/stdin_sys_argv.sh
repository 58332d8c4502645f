# A program read from stdin (or typed at the REPL) sees sys.argv == [''];
# the list is built when sys is first imported, long after start-up, from
# storage that must still be alive then (a sanitizer build checks that).
. tests/tools/testlib.sh
printf 'import sys\nprint(sys.argv)\n' > "$TMP/prog"
TOY_STDIN="$TMP/prog" run_toy
expect_status 0
expect_stdout "['']"
TOY_STDIN="$TMP/prog" run_toy -
expect_status 0
expect_stdout "['-']"
