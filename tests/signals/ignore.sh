# signal.signal(SIGINT, SIG_IGN) makes Ctrl-C ignored; SIG_DFL lets it end
# the process at once (no traceback, no finally); default_int_handler brings
# KeyboardInterrupt back. getsignal shows each. python3 behaves the same.
. tests/tools/testlib.sh
. tests/tools/sigint.sh

cat > "$TMP/prog.toy" <<'PROG'
import os, sys, time, signal
mode, go = sys.argv[1], sys.argv[2]
print(signal.getsignal(signal.SIGINT) is signal.default_int_handler)
if mode == "ignore":
    signal.signal(signal.SIGINT, signal.SIG_IGN)
elif mode == "default":
    signal.signal(signal.SIGINT, signal.SIG_DFL)
else:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    old = signal.signal(signal.SIGINT, signal.default_int_handler)
    print(old == signal.SIG_IGN)
print(signal.getsignal(signal.SIGINT) == signal.SIG_IGN)
sys.stdout.flush()
try:
    print("ready", file=sys.stderr, flush=True)
    while not os.path.exists(go):
        time.sleep(0.01)
    print("survived")
except KeyboardInterrupt:
    print("interrupted")
finally:
    print("finally")
PROG
for mode in ignore default restore; do
    rm -f "$TMP/go"
    start_toy "$TMP/prog.toy" "$mode" "$TMP/go"
    wait_for_stderr ready
    interrupt
    sleep 0.2 # give an ignored signal time to do (nothing)
    touch "$TMP/go"
    finish_toy
    case $mode in
    ignore)
        expect_status_exact 0
        expect_stdout "True
True
survived
finally" ;;
    default)
        expect_status_exact 130
        expect_stdout "True
False" ;;
    restore)
        expect_status_exact 0
        expect_stdout "True
True
False
interrupted
finally" ;;
    esac
done
