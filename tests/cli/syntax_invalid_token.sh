. tests/tools/testlib.sh
f=$TMP/token.toy
printf 'x = 1\ny = 2 $ 3\nprint(y)\n' > "$f"
check_syntax_error "$f" 2 'y = 2 $ 3' SyntaxError
