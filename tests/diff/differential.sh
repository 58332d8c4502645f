# Differential test: random programs (tests/diff/gen.py) must print under
# toy exactly what they print under python3 (CPython 3.11), stdout and exit
# status. The seeds are fixed, so a failure names the seed that reproduces it:
#     python3 tests/diff/gen.py SEED > /tmp/p.py; python3 /tmp/p.py; ./toy /tmp/p.py
# DIFF_FIRST and DIFF_COUNT choose the seeds (make difftest runs many more).
# 25 programs, each run twice: more than the default 10 s on a loaded machine.
# test-timeout: 120
. tests/tools/testlib.sh

command -v python3 > /dev/null || skip "python3 is not installed (it produces the expected output)"
python3 -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' ||
    skip "python3 is not CPython 3.11, whose output Toy matches"

first=${DIFF_FIRST:-1}
count=${DIFF_COUNT:-25}
features=${DIFF_FEATURES:-ints,sets,gens,classes,decor,strs,complex}
# The real binary, not a version manager's shim (which costs ~100 ms a start).
py=$(python3 -c 'import sys; print(sys.executable)')
python3 tests/diff/gen.py --dir "$TMP" "$first" "$count" "$features" || fail "gen.py failed"
bad=0
for seed in $(seq "$first" $((first + count - 1))); do
    prog=$TMP/p$seed.py
    timeout 20 "$py" "$prog" > "$TMP/want" 2>&1
    want_rc=$?
    timeout 20 "$TOY" "$prog" > "$TMP/got" 2>&1
    got_rc=$?
    if [ "$want_rc" != "$got_rc" ] || ! cmp -s "$TMP/want" "$TMP/got"; then
        echo "seed $seed: python3 exited $want_rc, toy $got_rc"
        diff "$TMP/want" "$TMP/got" | head -8
        bad=$((bad + 1))
        [ $bad -ge 5 ] && break
    fi
done
[ $bad -eq 0 ] || fail "$bad of the programs printed differently (features: $features)"
