# An unhandled Ctrl-C: the traceback on stderr ends in "KeyboardInterrupt",
# `finally` runs, everything printed before reaches the pipe (stdout is
# block-buffered there), and the process ends by SIGINT: status 130.
# python3 gives the same output, traceback and status.
. tests/tools/testlib.sh
. tests/tools/sigint.sh

cat > "$TMP/prog.toy" <<'PROG'
import sys
for i in range(100):
    print("line", i)
print("ready", file=sys.stderr, flush=True)
try:
    while True:
        pass
finally:
    print("finally ran")
PROG
mkfifo "$TMP/pipe"
cat "$TMP/pipe" > "$TMP/out" &
catpid=$!
TOY_OUT=$TMP/pipe start_toy "$TMP/prog.toy"
wait_for_stderr ready
interrupt
finish_toy
wait "$catpid"
expect_status_exact 130
[ "$(wc -l < "$TMP/out")" = 101 ] || { dump; fail "expected 101 lines on stdout"; }
[ "$(head -n 1 "$TMP/out")" = "line 0" ] && [ "$(sed -n 100p "$TMP/out")" = "line 99" ] &&
    [ "$(tail -n 1 "$TMP/out")" = "finally ran" ] || { dump; fail "stdout lines differ"; }
want="ready
Traceback (most recent call last):
  File \"$TMP/prog.toy\", line 6, in <module>
    while True:
KeyboardInterrupt"
[ "$(cat "$TMP/err")" = "$want" ] || { dump; fail "stderr differs, expected: $want"; }
