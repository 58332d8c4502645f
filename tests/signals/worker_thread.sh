# Ctrl-C goes to the main thread only: a worker thread busy with its own
# work is not interrupted and finishes it, while the main thread gets
# KeyboardInterrupt (in a busy loop, then again while it waits for an
# event). python3 prints the same. (Not a join: python3 3.11 wrongly marks a
# thread whose join was interrupted as stopped.)
. tests/tools/testlib.sh
. tests/tools/sigint.sh

cat > "$TMP/prog.toy" <<'PROG'
import sys, threading
go = threading.Event()
results = []
def work():
    total = 0
    for i in range(300000):
        total += i % 7
    results.append(total)
    go.wait()
    results.append("after go")
t = threading.Thread(target=work)
t.start()
try:
    print("ready", file=sys.stderr, flush=True)
    while True:
        pass
except KeyboardInterrupt:
    print("main interrupted")
try:
    print("ready again", file=sys.stderr, flush=True)
    threading.Event().wait()
except KeyboardInterrupt:
    print("wait interrupted")
go.set()
t.join()
print(results)
PROG
start_toy "$TMP/prog.toy"
wait_for_stderr ready
interrupt
wait_for_stderr "ready again"
interrupt
finish_toy
expect_status_exact 0
expect_stdout "main interrupted
wait interrupted
[899997, 'after go']"
