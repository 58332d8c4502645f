# A Ctrl-C while the end of the program waits for a non-daemon thread: as in
# python3 3.11, it is reported as ignored, the wait is abandoned (the thread
# never prints) and the exit status stays 0. (python3 also prints the
# traceback inside threading._shutdown; Toy waits in C and has none.)
. tests/tools/testlib.sh
. tests/tools/sigint.sh

cat > "$TMP/prog.toy" <<'PROG'
import sys, threading, time
def work():
    time.sleep(60)
    print("worker done")
threading.Thread(target=work).start()
print("main done")
print("ready", file=sys.stderr, flush=True)
PROG
start_toy "$TMP/prog.toy"
wait_for_stderr ready
sleep 0.2 # let the main thread reach the exit's wait
interrupt
finish_toy
expect_status_exact 0
expect_stdout "main done"
expect_in_stderr "Exception ignored in: <module 'threading'"
[ "$(tail -n 1 "$TMP/err")" = "KeyboardInterrupt: " ] || { dump; fail "stderr should end with 'KeyboardInterrupt: '"; }
