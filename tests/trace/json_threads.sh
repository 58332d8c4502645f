# --gil-trace=FILE: valid JSON (parsed by check_trace.py, run by toy itself),
# one named track per thread (and its waiting track), hold and wait events.
. tests/tools/testlib.sh
cat > "$TMP/prog.toy" <<'PROG'
import threading, time

def spin(n):
    s = 0
    for i in range(n):
        s += i
    time.sleep(0.01)

# A quote, a backslash, and a name longer than the 47 bytes kept, cut in the
# middle of a two-byte character: the file must still be valid UTF-8 JSON.
names = ["alpha", "beta", 'q"uote\\back', "x" * 46 + "\u00e9\u00e9"]
threads = [threading.Thread(target=spin, args=(200000,), name=n) for n in names]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("ok")
PROG
run_toy --gil-trace="$TMP/trace.json" --switch-interval=1 "$TMP/prog.toy"
expect_status 0
expect_stdout "ok"
expect_stderr_empty
[ -s "$TMP/trace.json" ] || fail "no trace file written"
head -c 16 "$TMP/trace.json" | grep -q '^{"traceEvents":' || fail "does not start with {\"traceEvents\":"

"$TOY" tests/trace/check_trace.py "$TMP/trace.json" > "$TMP/check" 2>&1 ||
    { cat "$TMP/check"; fail "check_trace.py rejected the trace"; }
grep -qx 'threads: 5' "$TMP/check" || { cat "$TMP/check"; fail "expected 5 thread tracks"; }
for n in MainThread alpha beta 'q"uote\back'; do
    grep -qxF "thread: $n" "$TMP/check" || { cat "$TMP/check"; fail "no track named $n"; }
done
holds=$(sed -n 's/^events X holding the GIL: //p' "$TMP/check")
[ "${holds:-0}" -ge 5 ] || { cat "$TMP/check"; fail "expected a hold event per thread at least"; }
grep -qx 'gil: on' "$TMP/check" || { cat "$TMP/check"; fail "otherData.gil should be on"; }

# Where python3 happens to exist, its json module must agree.
if command -v python3 > /dev/null 2>&1; then
    python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$TMP/trace.json" ||
        fail "python3's json module rejects the trace"
fi
exit 0
