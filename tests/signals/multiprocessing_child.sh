# Ctrl-C at a terminal reaches the whole process group: the parent's join is
# interrupted and the forked child gets KeyboardInterrupt too, which its
# bootstrap reports ("Process Process-1:" and the traceback) before exiting
# with status 1. SIGINT to the parent alone leaves the child running.
# python3 behaves the same (the order of the two processes' lines may vary,
# so the checks do not depend on it).
. tests/tools/testlib.sh
. tests/tools/sigint.sh

cat > "$TMP/prog.toy" <<'PROG'
import sys, time, multiprocessing as mp
def child():
    try:
        time.sleep(2)
        print("child done", flush=True)
    except KeyboardInterrupt:
        print("child interrupted", flush=True)
        raise
if __name__ == "__main__":
    mp.set_start_method("fork")
    p = mp.Process(target=child)
    p.start()
    try:
        print("ready", file=sys.stderr, flush=True)
        p.join()
    except KeyboardInterrupt:
        print("parent interrupted", flush=True)
    p.join()
    print("exitcode", p.exitcode)
PROG
# The parent only.
start_toy "$TMP/prog.toy"
wait_for_stderr ready
interrupt
finish_toy
expect_status_exact 0
expect_stdout "parent interrupted
child done
exitcode 0"

# The whole group, as a terminal's Ctrl-C: job control gives the program a
# process group of its own.
set -m
start_toy "$TMP/prog.toy"
set +m
wait_for_stderr ready
sleep 0.2 # the child is in its sleep by now
kill -INT -- "-$pid"
finish_toy
expect_status_exact 0
expect_in_stdout "parent interrupted"
expect_in_stdout "child interrupted"
expect_in_stdout "exitcode 1"
expect_in_stderr "Process Process-1:"
expect_in_stderr "time.sleep(2)"
[ "$(tail -n 1 "$TMP/err")" = KeyboardInterrupt ] || { dump; fail "stderr should end with KeyboardInterrupt"; }
