# Helpers for shell tests (tests/**/*.sh).  Source it with
#   . tests/tools/testlib.sh
# Shell tests run from the repo root with $TOY set to the toy binary;
# exit 0 = pass, 77 = skip (last stdout line is the reason), else fail.

: "${TOY:?TOY must be set (run through tests/run.sh)}"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/toy-shtest.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "$*"; exit 77; }

# run_toy ARGS... : runs $TOY (stdin from /dev/null unless TOY_STDIN is set),
# stdout -> $TMP/out, stderr -> $TMP/err, exit status -> $rc
run_toy() {
    "$TOY" "$@" < "${TOY_STDIN:-/dev/null}" > "$TMP/out" 2> "$TMP/err"
    rc=$?
}

# show what toy printed (for failure messages)
dump() {
    echo "exit status: $rc"
    echo "--- stdout (first 20 lines, 200 chars each) ---"
    head -n 20 "$TMP/out" | cut -c 1-200
    echo "--- stderr (first 20 lines, 200 chars each) ---"
    head -n 20 "$TMP/err" | cut -c 1-200
}

# expect_no_crash: toy must not die from a signal (status >= 128) or hang
expect_no_crash() {
    if [ "$rc" -ge 124 ]; then
        dump
        fail "crashed or timed out (status $rc)"
    fi
}

expect_status() {
    expect_no_crash
    [ "$rc" = "$1" ] || { dump; fail "expected exit status $1, got $rc"; }
}

expect_stdout() {  # exact stdout
    local want=$1
    [ "$(cat "$TMP/out")" = "$want" ] || { dump; fail "stdout differs, expected: $want"; }
}

# expect_stdout_file FILE LABEL: stdout is exactly the content of FILE (a diff
# of the first lines on failure), and --stats reported no leak.
expect_stdout_file() {
    if ! diff -u "$1" "$TMP/out" > "$TMP/diff"; then
        head -n 20 "$TMP/diff"
        fail "$2: stdout differs from $1"
    fi
    grep -qx 'leaked: 0' "$TMP/err" || { dump; fail "$2: leak check failed"; }
}

expect_stdout_empty() {
    [ ! -s "$TMP/out" ] || { dump; fail "expected empty stdout"; }
}

expect_stderr_empty() {
    [ ! -s "$TMP/err" ] || { dump; fail "expected empty stderr"; }
}

expect_in_stdout() {  # fixed substring
    grep -qF -- "$1" "$TMP/out" || { dump; fail "stdout lacks: $1"; }
}

expect_in_stderr() {  # fixed substring
    grep -qF -- "$1" "$TMP/err" || { dump; fail "stderr lacks: $1"; }
}

expect_stderr_matches() {  # extended regexp
    grep -qE -- "$1" "$TMP/err" || { dump; fail "stderr does not match: $1"; }
}

# check_syntax_error FILE LINE SOURCE_LINE KIND [nocaret]
# Runs toy on FILE and checks the SyntaxError report:
#   exit status 1, nothing on stdout (nothing ran),
#   'File "FILE", line LINE' on stderr, the stripped source line,
#   a caret line (only spaces and ^/~, at least one ^) unless "nocaret",
#   and "KIND:" (e.g. SyntaxError, IndentationError).
check_syntax_error() {
    local file=$1 line=$2 src=$3 kind=$4 caret=${5:-caret}
    run_toy "$file"
    expect_status 1
    expect_stdout_empty
    expect_in_stderr "File \"$file\", line $line"
    expect_in_stderr "$src"
    if [ "$caret" != nocaret ]; then
        expect_stderr_matches '^ *[~^ ]*\^[~^ ]*$'
    fi
    expect_in_stderr "$kind:"
}
