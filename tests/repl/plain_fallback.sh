# With TERM=dumb the REPL reads plain lines even on a terminal: prompts are
# printed as they are, no escape sequence is written, no history file is
# made. (Piped stdin without a terminal runs as a program: tests/cli/.)
. tests/tools/testlib.sh
command -v script > /dev/null 2>&1 || skip "script(1) not available"
script -qec true /dev/null < /dev/null > /dev/null 2>&1 || skip "script(1) cannot allocate a pty here"
export HOME="$TMP/home"
mkdir -p "$HOME"
printf '6*7\nfor i in range(2):\n    print(i)\n\n' |
    TERM=dumb timeout 5 script -qec "$TOY" /dev/null > "$TMP/raw" 2>&1
rc=$?
tr -d '\r' < "$TMP/raw" | sed -E 's/^((>>>|\.\.\.) ?)+//' > "$TMP/out"
: > "$TMP/err"
expect_no_crash
for want in 42 0 1; do
    grep -qx -- "$want" "$TMP/out" || { dump; fail "REPL output lacks a line '$want'"; }
done
! grep -q $'\x1b' "$TMP/raw" || { dump; fail "escape sequences written with TERM=dumb"; }
[ ! -e "$HOME/.toy_history" ] || fail "history file written by plain reading"
exit 0
