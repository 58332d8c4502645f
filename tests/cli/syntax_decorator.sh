# A decorator must be followed by a def or a class, and be one expression.
. tests/tools/testlib.sh
f=$TMP/deco.toy
printf 'def deco(f):\n    return f\n\n@deco\nx = 1\n' > "$f"
check_syntax_error "$f" 5 'x = 1' SyntaxError
printf '@deco x\ndef f():\n    pass\n' > "$f"
check_syntax_error "$f" 1 '@deco x' SyntaxError
printf '@\ndef f():\n    pass\n' > "$f"
check_syntax_error "$f" 1 '@' SyntaxError
exit 0
