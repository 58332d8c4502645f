# 100,000 open brackets: status 1 with a SyntaxError/RecursionError/MemoryError,
# no crash.
. tests/tools/testlib.sh
f=$TMP/brackets.toy
{ printf '%*s' 100000 '' | tr ' ' '('; echo; } > "$f"
run_toy "$f"
expect_status 1
expect_stdout_empty
expect_stderr_matches '(SyntaxError|RecursionError|MemoryError)'
f=$TMP/square.toy
{ printf 'x = '; printf '%*s' 100000 '' | tr ' ' '['; echo; } > "$f"
run_toy "$f"
expect_status 1
expect_stderr_matches '(SyntaxError|RecursionError|MemoryError)'
