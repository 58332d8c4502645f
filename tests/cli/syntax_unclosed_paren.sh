# An unclosed parenthesis on the last line is a SyntaxError at that line.
. tests/tools/testlib.sh
f=$TMP/unclosed.toy
printf 'print("must not run")\nprint((1, 2)\n' > "$f"
check_syntax_error "$f" 2 'print((1, 2)' SyntaxError
