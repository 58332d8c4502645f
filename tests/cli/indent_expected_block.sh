. tests/tools/testlib.sh
f=$TMP/block.toy
printf 'def f():\nreturn 1\n' > "$f"
check_syntax_error "$f" 2 'return 1' IndentationError
