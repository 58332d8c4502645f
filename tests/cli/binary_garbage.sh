# 2000 bytes of deterministic pseudo-random binary garbage (fixed-seed LCG,
# includes NUL and invalid UTF-8): a SyntaxError with status 1, never a crash.
. tests/tools/testlib.sh
gen() {
    local s=$1 n=$2 i b o fmt=""
    for ((i = 0; i < n; i++)); do
        s=$(( (s * 1103515245 + 12345) & 0x7fffffff ))
        b=$(( (s >> 16) & 255 ))
        printf -v o '\\%03o' "$b"
        fmt+=$o
    done
    printf "$fmt"
}
for seed in 12345 4242 99; do
    f=$TMP/garbage$seed.toy
    gen $seed 2000 > "$f"
    [ "$(wc -c < "$f")" = 2000 ] || fail "generator produced $(wc -c < "$f") bytes"
    run_toy "$f"
    expect_status 1
    expect_stdout_empty
    expect_in_stderr "SyntaxError"
done
