# A decimal literal longer than sys.get_int_max_str_digits() (4300) is a
# SyntaxError at compile time, with CPython's message; hex literals of any
# length and int('...') (a ValueError) are not affected; 4300 digits is fine.
. tests/tools/testlib.sh

digits() { printf "%${1}s" '' | tr ' ' "$2"; }

printf 'print("ran")\nx = 1 + %s\n' "$(digits 4301 7)" > "$TMP/long.toy"
check_syntax_error "$TMP/long.toy" 2 "x = 1 + 777" SyntaxError
expect_in_stderr "SyntaxError: Exceeds the limit (4300 digits) for integer string conversion: value has 4301 digits; use sys.set_int_max_str_digits() to increase the limit - Consider hexadecimal for huge integer literals to avoid decimal conversion limits."

# Underscores are not digits: 4300 digits with separators compile.
printf 'x = 1_%s\nprint(len(str(x)))\ny = 0x%s\nprint(y.bit_length())\n' \
    "$(digits 4299 3)" "$(digits 5000 f)" > "$TMP/ok.toy"
run_toy "$TMP/ok.toy"
expect_status 0
expect_stdout "4300
20000"
