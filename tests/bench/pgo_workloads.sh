# The training workloads of the profile-guided build (scripts/build/pgo/)
# must print exactly what CPython printed, kept in tests/bench/pgo/NAME.out,
# and leak nothing: a profile taken from a wrong run would train the build
# on paths real programs do not take. A workload added there needs its
# .out, made with
#   python3 scripts/build/pgo/NAME.toy > tests/bench/pgo/NAME.out
. tests/tools/testlib.sh

n=0
for prog in scripts/build/pgo/*.toy; do
    name=$(basename "$prog" .toy)
    want=tests/bench/pgo/$name.out
    [ -f "$want" ] || fail "$want is missing"
    run_toy --stats "$prog"
    expect_status 0
    expect_stdout_file "$want" "$name"
    n=$((n + 1))
done
[ "$n" -ge 6 ] || fail "ran $n workloads, expected at least 6"
