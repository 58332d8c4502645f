# Ctrl-C in a busy loop: `except KeyboardInterrupt` catches it and `finally`
# runs; the program then goes on and ends normally (python3 prints the same).
. tests/tools/testlib.sh
. tests/tools/sigint.sh

cat > "$TMP/prog.toy" <<'PROG'
import sys
def spin():
    n = 0
    while True:
        n += 1
try:
    try:
        print("ready", file=sys.stderr, flush=True)
        spin()
    finally:
        print("finally ran")
except KeyboardInterrupt as e:
    print("caught", type(e).__name__, repr(e.args))
print("after")
PROG
start_toy "$TMP/prog.toy"
wait_for_stderr ready
interrupt
finish_toy
expect_status_exact 0
expect_stdout "finally ran
caught KeyboardInterrupt ()
after"
[ "$(cat "$TMP/err")" = ready ] || { dump; fail "unexpected stderr"; }
