. tests/tools/testlib.sh
f=$TMP/dedent.toy
printf 'if True:\n        x = 1\n    y = 2\n' > "$f"
check_syntax_error "$f" 3 'y = 2' IndentationError
