# Random programs (tests/ft/stress_gen.py) whose threads all change and
# read the same list, dict, set, deque, bytearray, array, instance, class
# and iterators at once, under the free-threaded build: none may crash,
# hang or lose a count (--stats: leaked 0, no anomaly), and each must end
# by printing "ok". The seeds are fixed, so a failure names the one that
# reproduces it (a race may need a few runs):
#     python3 tests/ft/stress_gen.py SEED > /tmp/p.toy; ./toy-ft --stats /tmp/p.toy
# STRESS_FIRST and STRESS_COUNT choose the seeds (make ft-stress runs many).
# test-timeout: 180
. tests/tools/testlib.sh

command -v python3 > /dev/null || skip "python3 is not installed (it writes the programs)"
first=${STRESS_FIRST:-1}
count=${STRESS_COUNT:-6}
rounds=${STRESS_ROUNDS:-1000}
[ -n "$TOY_TEST_SANITIZER" ] && rounds=$((rounds / 4)) # several times slower
bad=0
for seed in $(seq "$first" $((first + count - 1))); do
    python3 tests/ft/stress_gen.py "$seed" "" "$rounds" > "$TMP/p$seed.toy" ||
        fail "stress_gen.py failed on seed $seed"
    timeout 120 "$TOY" --stats "$TMP/p$seed.toy" > "$TMP/out" 2> "$TMP/err"
    rc=$?
    why=""
    if [ "$rc" -ne 0 ]; then why="exit status $rc"
    elif ! grep -q '^ok ' "$TMP/out"; then why="no 'ok' line"
    elif ! grep -q '^leaked: 0$' "$TMP/err"; then why="$(grep '^leaked:' "$TMP/err")"
    elif ! grep -q '^anomalies: 0$' "$TMP/err"; then why="$(grep '^anomalies:' "$TMP/err")"
    fi
    if [ -n "$why" ]; then
        echo "seed $seed: $why"
        grep -v -e acquisitions "$TMP/err" | head -8
        bad=$((bad + 1))
    fi
done
[ $bad -eq 0 ] || fail "$bad of $count stress programs failed (seeds $first-$((first + count - 1)))"
