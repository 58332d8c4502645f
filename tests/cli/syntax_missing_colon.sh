. tests/tools/testlib.sh
f=$TMP/colon.toy
printf 'x = 3\nif x > 1\n    print(x)\n' > "$f"
check_syntax_error "$f" 2 'if x > 1' SyntaxError
