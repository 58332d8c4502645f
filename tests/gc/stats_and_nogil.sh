# --stats reports what the collector did: objects it freed and collections
# per generation. With --no-gil, gc.collect() refuses to run while another
# thread runs (Toy's own rule, docs/internals.md), and works once it is the
# only thread; cycles are still freed at exit.
. tests/tools/testlib.sh
f=$TMP/cycles.toy
cat > "$f" <<'TOY'
import gc
for i in range(3000):
    a = []
    a.append(a)
del a
print(gc.collect() >= 1)
TOY
run_toy --stats "$f"
expect_status 0
expect_stdout True
expect_stderr_matches '^collected by gc: [0-9]{4}'
expect_stderr_matches '^gc collections: [1-9][0-9]* [0-9]+ [1-9][0-9]*$'
grep -qx 'leaked: 0' "$TMP/err" || { dump; fail "expected 'leaked: 0'"; }

# The two threads run Toy code at once as little as they can: with
# --no-gil their counts race, and a lost decrement would show as a leak
# that this test is not about. So the main thread lets the other reach
# stop.wait(), where it touches no object, before it goes on, and lets it
# end before joining it.
g=$TMP/nogil.toy
cat > "$g" <<'TOY'
import gc, threading, time
stop = threading.Event()
t = threading.Thread(target=stop.wait)
t.start()
time.sleep(0.1)
try:
    gc.collect()
except RuntimeError as e:
    print("RuntimeError:", e)
stop.set()
time.sleep(0.1)
t.join()
l = []
l.append(l)
del l
print(gc.collect())
m = []
m.append(m)
TOY
run_toy --no-gil --stats "$g"
expect_status 0
expect_stdout "RuntimeError: gc.collect() with --no-gil needs every other thread to have ended
1"
grep -qx 'leaked: 0' "$TMP/err" || { dump; fail "expected 'leaked: 0' with --no-gil"; }

# --stats=types: live and peak objects per type; the leaked cycle shows
# as one live Node with its dict and list.
h=$TMP/types.toy
printf 'import gc\ngc.disable()\nclass Node:\n    pass\nfor i in range(5):\n    n = Node()\n    n.me = [n]\ndel n\n' > "$h"
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" run_toy --stats=types "$h"
expect_status 0
expect_stderr_matches '^types: name +live +peak$'
expect_stderr_matches '^ +Node +5 +5$'
expect_stderr_matches '^ +list +5 +'
