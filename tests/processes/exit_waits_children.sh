# At exit the parent waits for its non-daemon children (their output is
# all there when toy returns) and terminates its daemon children (no
# process is left behind, and the exit is prompt).
. tests/tools/testlib.sh
cat > "$TMP/prog.toy" <<'PROG'
import multiprocessing as mp
import os
import sys
import time

def late(path):
    time.sleep(0.3)
    print("late child done", flush=True)
    with open(path, "w") as f:
        f.write(str(os.getpid()))

def forever(path):
    with open(path, "w") as f:
        f.write(str(os.getpid()))
    time.sleep(600)

if __name__ == "__main__":
    d = mp.Process(target=forever, args=(sys.argv[2],), daemon=True)
    d.start()
    mp.Process(target=late, args=(sys.argv[1],)).start()
    while not os.path.exists(sys.argv[2]):
        time.sleep(0.01)
    print("parent done", flush=True)
PROG
start=$(date +%s)
run_toy --stats "$TMP/prog.toy" "$TMP/late.pid" "$TMP/daemon.pid"
end=$(date +%s)
expect_status 0
expect_stdout "parent done
late child done"
[ -s "$TMP/late.pid" ] || fail "the non-daemon child did not finish before the parent exited"
grep -qx 'leaked: 0' "$TMP/err" || { dump; fail "expected 'leaked: 0'"; }
[ "$(grep -c -- '--- toy stats ---' "$TMP/err")" = 1 ] || { dump; fail "expected one stats block"; }
[ $((end - start)) -lt 30 ] || fail "exit took $((end - start)) s: the daemon child was not terminated"
dpid=$(cat "$TMP/daemon.pid")
sleep 0.1
if kill -0 "$dpid" 2>/dev/null; then
    kill -9 "$dpid"
    fail "the daemon child $dpid is still running after the parent exited"
fi
exit 0
