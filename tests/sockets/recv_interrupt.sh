# Ctrl-C interrupts the main thread's socket waits with KeyboardInterrupt:
# recv (blocking, and with a timeout), accept, a makefile() readline and
# select.select. python3 prints the same. (Not sendall: python3 3.11 keeps
# waiting in a sendall to a peer that never reads; Toy stops it.)
. tests/tools/testlib.sh
. tests/tools/sigint.sh

cat > "$TMP/prog.toy" <<'PROG'
import select, socket, sys
which = sys.argv[1]
def ready():
    print("ready", file=sys.stderr, flush=True)
a, b = socket.socketpair()
try:
    if which == "recv":
        ready()
        a.recv(10)
    elif which == "accept":
        srv = socket.create_server(("127.0.0.1", 0))
        ready()
        srv.accept()
    elif which == "readline":
        f = a.makefile("r")
        ready()
        f.readline()
    elif which == "select":
        ready()
        select.select([a], [], [])
    elif which == "timeout":
        a.settimeout(60)
        ready()
        a.recv(10)
    print("not interrupted")
except KeyboardInterrupt:
    print("interrupted", which)
PROG
for which in recv accept readline select timeout; do
    # The last run's "ready" must not be mistaken for this one's: the new
    # process truncates err only once it has started.
    rm -f "$TMP/err" "$TMP/out"
    start_toy "$TMP/prog.toy" "$which"
    wait_for_stderr ready
    interrupt
    finish_toy
    expect_status_exact 0
    expect_stdout "interrupted $which"
done
exit 0
