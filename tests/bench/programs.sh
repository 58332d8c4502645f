# Each whole-program benchmark of scripts/bench/programs/ runs under toy at a
# small size (its first argument) and must print exactly what CPython printed
# at that size, kept in tests/bench/programs/NAME.out, and leak nothing. A
# program added there needs a size below and its .out, made with
#   python3 scripts/bench/programs/NAME.toy SIZE > tests/bench/programs/NAME.out
. tests/tools/testlib.sh

declare -A size=(
    [bigint_calc]=600
    [fannkuch]=6
    [gen_pipeline]=5000
    [json_roundtrip]=2
    [nbody]=1000
    [nqueens]=6
    [raytrace]=12
    [richards]=1
    [spectral_norm]=30
)

dir=scripts/bench/programs
n=0
for prog in "$dir"/*.toy; do
    name=$(basename "$prog" .toy)
    [ -n "${size[$name]:-}" ] || fail "$prog has no small size in $0"
    want=tests/bench/programs/$name.out
    [ -f "$want" ] || fail "$want is missing"
    run_toy --stats "$prog" "${size[$name]}"
    expect_status 0
    expect_stdout_file "$want" "$name ${size[$name]}"
    n=$((n + 1))
done
[ "$n" -eq "${#size[@]}" ] || fail "ran $n programs, expected ${#size[@]}"
