# Interactive REPL through a pseudo-terminal (needs util-linux `script`):
# expression values are echoed, errors are reported and the session goes on.
. tests/tools/testlib.sh
command -v script > /dev/null 2>&1 || skip "script(1) not available"
script -qec true /dev/null < /dev/null > /dev/null 2>&1 || skip "script(1) cannot allocate a pty here"
export HOME="$TMP"  # the editor keeps history there
printf '1+2\nx = 5\nx\nfor i in range(2):\n    print(i)\n\n1/0\nprint("after")\n' |
    timeout 5 script -qec "$TOY" /dev/null > "$TMP/raw" 2>&1
rc=$?
# drop CRs and any leading prompts (tty echo and prompts may share lines)
tr -d '\r' < "$TMP/raw" | sed -E 's/^((>>>|\.\.\.) ?)+//' > "$TMP/out"
: > "$TMP/err"
expect_no_crash
for want in 3 5 0 1 after; do
    grep -qx -- "$want" "$TMP/out" || { dump; fail "REPL output lacks a line '$want'"; }
done
expect_in_stdout 'ZeroDivisionError: division by zero'
