. tests/tools/testlib.sh
f=$TMP/string.toy
printf "x = 1\ns = 'abc\nprint(s)\n" > "$f"
check_syntax_error "$f" 2 "s = 'abc" SyntaxError
