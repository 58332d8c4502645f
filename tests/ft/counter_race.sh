# The free-threaded build makes the interpreter safe, not the program:
# `counter += 1` is a load, an add and a store, and with threads really in
# parallel two of them interleave and an update is lost. A Lock makes the
# count exact. Needs two cores to show the loss (skipped on one).
. tests/tools/testlib.sh
[ "$(nproc)" -ge 2 ] || skip "needs 2 cores to lose an update (nproc is $(nproc))"
N=200000
lost=0
for try in 1 2 3 4 5; do
    run_toy tests/ft/counter_race.toy $N unlocked
    expect_status 0
    total=$(cat "$TMP/out")
    [ "$total" -le $((4 * N)) ] || { dump; fail "counted more than was added: $total"; }
    if [ "$total" -lt $((4 * N)) ]; then lost=1; break; fi
done
[ $lost = 1 ] || fail "5 runs of 4 unlocked threads lost no update (the lesson needs a loss)"
run_toy --stats tests/ft/counter_race.toy 20000 locked
expect_status 0
expect_stdout 80000
expect_in_stderr "leaked: 0"
exit 0
