# Ctrl-C interrupts the main thread's blocking waits with KeyboardInterrupt:
# time.sleep, Lock.acquire (with and without timeout) on a held lock, the
# join of a sleeping thread, Event.wait, queue.Queue.get, input() and
# sys.stdin.readline() on an open pipe with no data. python3 prints the same.
. tests/tools/testlib.sh
. tests/tools/sigint.sh

cat > "$TMP/prog.toy" <<'PROG'
import sys, time, threading, queue
which = sys.argv[1]
def ready():
    print("ready", file=sys.stderr, flush=True)
try:
    if which == "sleep":
        ready()
        time.sleep(60)
    elif which == "lock":
        lock = threading.Lock()
        lock.acquire()
        ready()
        lock.acquire()
    elif which == "lock_timeout":
        lock = threading.Lock()
        lock.acquire()
        ready()
        lock.acquire(timeout=60)
    elif which == "join":
        t = threading.Thread(target=time.sleep, args=(60,), daemon=True)
        t.start()
        ready()
        t.join()
    elif which == "event":
        ready()
        threading.Event().wait()
    elif which == "queue":
        ready()
        queue.Queue().get()
    elif which == "input":
        ready()
        input()
    elif which == "readline":
        ready()
        sys.stdin.readline()
    print("not interrupted")
except KeyboardInterrupt:
    print("interrupted", which)
PROG
mkfifo "$TMP/fifo"
exec 3<> "$TMP/fifo" # an open pipe that never gets data
for which in sleep lock lock_timeout join event queue input readline; do
    # The last run's "ready" must not be mistaken for this one's: the new
    # process truncates err only once it has started.
    rm -f "$TMP/err" "$TMP/out"
    TOY_STDIN=$TMP/fifo start_toy "$TMP/prog.toy" "$which"
    wait_for_stderr ready
    interrupt
    finish_toy
    expect_status_exact 0
    expect_stdout "interrupted $which"
done
