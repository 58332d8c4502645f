# scripts/threads/scaling.toy: every worker counts the same primes, in
# threads and in processes, for both jobs; the count is CPython's (303 primes
# below 2000) and the workers agree. Then scripts/bench/scaling.sh prints its
# table at a tiny size with a row for each way of running (no timing is
# checked: only that every row that must work has numbers).
. tests/tools/testlib.sh

prog=scripts/threads/scaling.toy
for mode in threads processes; do
    for job in locals globals; do
        run_toy --stats "$prog" "$mode" 3 2000 "$job"
        expect_status 0
        expect_in_stdout "$mode, 3 workers, job $job: primes below 2000: 303"
        expect_in_stdout "elapsed: "
        grep -q "^leaked: 0$" "$TMP/err" || { dump; fail "$mode $job leaked"; }
    done
done

run_toy "$prog" threads 0 2000
expect_status 2
expect_in_stdout "usage: scaling.toy"

dir=$(dirname "$TOY")
[ -x "$dir/toy-ft" ] && [ -x "$dir/toy-atomic" ] ||
    skip "scaling.sh table not checked: toy-ft or toy-atomic not built beside $TOY (make toy-ft toy-atomic)"
BENCH_RUNS=1 BENCH_LIMIT=6000 BENCH_MAX=2 BENCH_JOBS=locals \
    scripts/bench/scaling.sh --toy "$TOY" --python "" > "$TMP/table" 2>&1 ||
    { cat "$TMP/table"; fail "scaling.sh failed"; }
for row in "toy \\(GIL\\)" "toy-atomic" "toy-ft" "toy processes"; do
    grep -E "^  $row +[0-9.]+ s +1\.00x +[0-9.]+x$" "$TMP/table" >/dev/null ||
        { cat "$TMP/table"; fail "row '$row' has no numbers"; }
done
