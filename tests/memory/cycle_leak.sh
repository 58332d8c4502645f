# A reference cycle is never freed by pure reference counting: with --stats,
# the leak shows up as a non-zero "leaked:" count (see cycle_broken.toy for the
# same objects freed by breaking the cycle explicitly).
. tests/tools/testlib.sh
# The leak is the point of this test: keep LeakSanitizer (make asan) quiet about it.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
f=$TMP/cycle.toy
printf 'a = []\na.append(a)\nprint(len(a))\n' > "$f"
run_toy --stats "$f"
expect_status 0
expect_stdout 1
leak=$(grep -m1 '^leaked: ' "$TMP/err" | sed 's/^leaked: //')
[ -n "$leak" ] || { dump; fail "no 'leaked:' line"; }
[ "$leak" != 0 ] || { dump; fail "cycle reported as not leaked"; }
# the same with the cycle broken: no leak
printf 'a = []\na.append(a)\nprint(len(a))\na.clear()\n' > "$f"
run_toy --stats "$f"
expect_status 0
grep -qx 'leaked: 0' "$TMP/err" || { dump; fail "expected 'leaked: 0' after a.clear()"; }
