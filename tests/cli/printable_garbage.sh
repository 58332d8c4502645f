# Deterministic printable ASCII junk (60-char lines): a SyntaxError (or
# IndentationError) with status 1, never a crash.
. tests/tools/testlib.sh
gen() {
    local s=$1 n=$2 i b o fmt=""
    for ((i = 0; i < n; i++)); do
        s=$(( (s * 1103515245 + 12345) & 0x7fffffff ))
        b=$(( 32 + (s >> 16) % 95 ))
        (( i % 60 == 59 )) && b=10
        [ $b = 37 ] && b=35   # avoid '%' (printf format)
        [ $b = 92 ] && b=47   # avoid '\' (printf escape)
        printf -v o '\\%03o' "$b"
        fmt+=$o
    done
    printf "$fmt"
}
for seed in 777 31337; do
    f=$TMP/junk$seed.toy
    gen $seed 2000 > "$f"
    run_toy "$f"
    expect_status 1
    expect_stdout_empty
    expect_stderr_matches '(SyntaxError|IndentationError|TabError)'
done
