# A reference cycle is never freed by reference counting alone: with the
# cycle collector disabled, --stats shows the leak as a non-zero "leaked:"
# count; with it enabled (the default) the collector frees the cycle and
# "collected by gc:" counts it (see cycle_broken.toy for the same objects
# freed by breaking the cycle by hand).
. tests/tools/testlib.sh
# The leak is the point of the first run: keep LeakSanitizer (make asan) quiet about it.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
f=$TMP/cycle.toy
printf 'import gc\ngc.disable()\na = []\na.append(a)\nprint(len(a))\n' > "$f"
run_toy --stats "$f"
expect_status 0
expect_stdout 1
leak=$(grep -m1 '^leaked: ' "$TMP/err" | sed 's/^leaked: //')
[ -n "$leak" ] || { dump; fail "no 'leaked:' line"; }
[ "$leak" != 0 ] || { dump; fail "cycle reported as not leaked with gc.disable()"; }
# the collector enabled: the cycle is found and freed
printf 'import gc\na = []\na.append(a)\ndel a\nprint(gc.collect())\n' > "$f"
run_toy --stats "$f"
expect_status 0
expect_stdout 1
grep -qx 'leaked: 0' "$TMP/err" || { dump; fail "expected 'leaked: 0' with the collector"; }
grep -q '^collected by gc: [1-9]' "$TMP/err" || { dump; fail "expected 'collected by gc:' > 0"; }
# the same with the cycle broken by hand and the collector off: no leak
printf 'import gc\ngc.disable()\na = []\na.append(a)\nprint(len(a))\na.clear()\n' > "$f"
run_toy --stats "$f"
expect_status 0
grep -qx 'leaked: 0' "$TMP/err" || { dump; fail "expected 'leaked: 0' after a.clear()"; }
