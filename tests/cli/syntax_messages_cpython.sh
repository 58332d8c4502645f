# SyntaxError messages and lines that match CPython 3.11's for common slips:
# '=' in a condition, a dict key without ':', del of a starred target,
# keywords as keyword arguments, bad escapes (with CPython's positions),
# tabs mixed with spaces (TabError), a try without except at the end of the
# file; and "1if 1else 2" (a number directly before a keyword) runs.
. tests/tools/testlib.sh
n=0
syn() {  # syn SOURCE LINE KIND MESSAGE
    n=$((n + 1))
    f=$TMP/s$n.toy
    printf '%s\n' "$1" > "$f"
    check_syntax_error "$f" "$2" "" "$3" nocaret
    expect_in_stderr "$3: $4"
}
syn 'if x = 1: pass' 1 SyntaxError "invalid syntax. Maybe you meant '==' or ':=' instead of '='?"
syn 'while x.y = 1: pass' 1 SyntaxError "cannot assign to attribute here. Maybe you meant '==' instead of '='?"
syn 'if a < b = 1: pass' 1 SyntaxError "invalid syntax"
syn "x = {'a': 1, 'b'}" 1 SyntaxError "':' expected after dictionary key"
syn 'del *a' 1 SyntaxError "cannot delete starred"
syn 'f(None=1)' 1 SyntaxError "cannot assign to None"
syn 'f(True=1)' 1 SyntaxError "cannot assign to True"
syn "x = 'é\\x4'" 1 SyntaxError "(unicode error) 'unicodeescape' codec can't decode bytes in position 10-12: truncated \\xXX escape"
syn "x = 'ab\\u12z'" 1 SyntaxError "(unicode error) 'unicodeescape' codec can't decode bytes in position 2-5: truncated \\uXXXX escape"
syn "x = '\\U0011ffff'" 1 SyntaxError "(unicode error) 'unicodeescape' codec can't decode bytes in position 0-9: illegal Unicode character"
syn "x = b'ab\\xz'" 1 SyntaxError "(value error) invalid \\x escape at position 2"
syn "$(printf 'if 1:\n\tx = 1\n        y = 2')" 3 TabError "inconsistent use of tabs and spaces in indentation"
syn "$(printf 'if 1:\n    try:\n        pass')" 3 SyntaxError "expected 'except' or 'finally' block"
syn "$(printf 'try:\n    x = (1,\n  2)')" 3 SyntaxError "expected 'except' or 'finally' block"

f=$TMP/kw.toy
printf 'x = 1if 1else 2\nprint(x, [0x1for x in (1,)], 0b1or 0)\n' > "$f"
run_toy "$f"
expect_status 0
expect_stdout "1 [31] 1"
