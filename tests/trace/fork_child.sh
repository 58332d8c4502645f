# With --gil-trace, forked children (multiprocessing) are not traced: the file
# is written once, by the parent, with the parent's threads only; a child
# never overwrites it or adds to it.
. tests/tools/testlib.sh
"$TOY" -c 'import multiprocessing' > /dev/null 2>&1 ||
    skip "no multiprocessing module in this build"
cat > "$TMP/prog.toy" <<'PROG'
import multiprocessing, threading

def child_work(q):
    t = threading.Thread(target=lambda: q.put(sum(range(10000))), name="child-thread")
    t.start()
    t.join()

q = multiprocessing.Queue()
procs = [multiprocessing.Process(target=child_work, args=(q,)) for i in range(2)]
for p in procs:
    p.start()
results = [q.get() for p in procs]
for p in procs:
    p.join()
t = threading.Thread(target=lambda: None, name="parent-thread")
t.start()
t.join()
print(results, [p.exitcode for p in procs])
PROG
run_toy --gil-trace="$TMP/t.json" "$TMP/prog.toy"
expect_status 0
expect_stdout "[49995000, 49995000] [0, 0]"
"$TOY" tests/trace/check_trace.py "$TMP/t.json" > "$TMP/check" 2>&1 ||
    { cat "$TMP/check"; fail "check_trace.py rejected the trace"; }
grep -qx 'thread: parent-thread' "$TMP/check" || { cat "$TMP/check"; fail "no parent-thread track"; }
grep -q 'child-thread' "$TMP/check" && { cat "$TMP/check"; fail "a child's thread got into the parent's trace"; }
[ "$(grep -o '"name": "process_name"' "$TMP/t.json" | wc -l)" = 1 ] || fail "more than one process in the trace"
exit 0
