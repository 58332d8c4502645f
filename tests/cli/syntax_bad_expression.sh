. tests/tools/testlib.sh
f=$TMP/expr.toy
printf 'a = 1\nb = 2\nc = a + * b\n' > "$f"
check_syntax_error "$f" 3 'c = a + * b' SyntaxError
