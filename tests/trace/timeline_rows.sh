# --gil-trace=-: a text timeline on stderr after the program, one row per
# thread, each row the same width, with a time scale and a legend.
. tests/tools/testlib.sh
cat > "$TMP/prog.toy" <<'PROG'
import threading

def spin():
    s = 0
    for i in range(300000):
        s += i

threads = [threading.Thread(target=spin, name="spinner-%d" % i) for i in range(3)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("ok")
PROG
run_toy --gil-trace=- "$TMP/prog.toy"
expect_status 0
expect_stdout "ok"
expect_in_stderr "--- GIL timeline: 4 threads"
expect_in_stderr "one column = "
expect_in_stderr "# held the GIL"
rows=$(grep -cE '^[^ ].* \|.{72}\| +[0-9]+%$' "$TMP/err")
[ "$rows" = 4 ] || { dump; fail "expected 4 timeline rows, got $rows"; }
for n in MainThread spinner-0 spinner-1 spinner-2; do
    grep -qE "^$n +\|" "$TMP/err" || { dump; fail "no row for $n"; }
done
# Every spinner held the lock at some point.
[ "$(grep -E '^spinner-[0-9] +\|' "$TMP/err" | grep -c '[#+]')" = 3 ] ||
    { dump; fail "a spinner row shows no hold"; }
# The scale line is there: it ends with the run's length in ms.
grep -qE '^ +0 ms .* ms$' "$TMP/err" || { dump; fail "no time scale line"; }
exit 0
