# The timeline draws CPU time, not "not blocked": four threads under
# --no-gil pinned to one core are never blocked, yet together they can keep
# only that one core busy. Their shares must add up to about one core, and
# so must the "cores busy" line (it said four before threads' CPU clocks
# were read). Under the GIL the same holds on any number of cores.
. tests/tools/testlib.sh
export TSAN_OPTIONS="${TSAN_OPTIONS:-} report_bugs=0"
command -v taskset > /dev/null || skip "taskset (util-linux) is not installed"
cat > "$TMP/spin.toy" <<'PROG'
import threading

def spin():
    s = 0
    for i in range(200000):
        s += i

threads = [threading.Thread(target=spin, name="spinner-%d" % i) for i in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("ok")
PROG
# busy FILE: the cores-busy figure; shares FILE: the rows' percentages added.
busy() { sed -n 's/.* \([0-9.]*\) cores busy on average$/\1/p' "$1"; }
shares() { grep -E '^[^ ].* \|.{72}\| +[0-9]+%$' "$1" | awk '{ s += $NF } END { print s + 0 }'; }
check_one_core() {
    local b s
    b=$(busy "$TMP/err")
    s=$(shares "$TMP/err")
    [ -n "$b" ] || { dump; fail "$1: no 'cores busy on average' line"; }
    # Rounding of each row's share costs at most 0.5% per row (5 rows).
    awk -v b="$b" -v s="$s" 'BEGIN { exit !(b <= 1.02 && s <= 103) }' ||
        { dump; fail "$1: more than one core busy on one core (busy $b, shares $s%)"; }
}
taskset -c 0 "$TOY" --no-gil --gil-trace=- "$TMP/spin.toy" < /dev/null > "$TMP/out" 2> "$TMP/err"
rc=$?
[ "$rc" = 3 ] && skip "the race detector stopped this run (a real race): nothing to check"
expect_status 0
expect_stdout "ok"
check_one_core "--no-gil on one core"
run_toy --gil-trace=- "$TMP/spin.toy"
expect_status 0
check_one_core "the GIL"
exit 0
