# Python prints no caret line for "unexpected indent", so none is required.
. tests/tools/testlib.sh
f=$TMP/indent.toy
printf 'x = 1\n    y = 2\n' > "$f"
check_syntax_error "$f" 2 'y = 2' IndentationError nocaret
