# The allocator's pools (runtime/core/pool.c) built alone with a small
# driver, pool_unit.c, as each build has them: blocks of every size class
# claimed, written, checked and given back, from several threads at once,
# and every arena but the spares returned to the system at the end. A second build runs it under
# ThreadSanitizer when the compiler has it.
. tests/tools/testlib.sh
cc=${CC:-cc}
command -v "$cc" >/dev/null 2>&1 || skip "no C compiler ($cc)"
src="tests/memory/pool_unit.c runtime/core/pool.c"
flags="-std=c11 -D_GNU_SOURCE -I. -Iruntime -O1 -g -Wall -Wextra -Werror -pthread"
$cc $flags -o "$TMP/pool_unit" $src 2> "$TMP/cc.err" || { cat "$TMP/cc.err"; fail "pool_unit.c does not build"; }
"$TMP/pool_unit" > "$TMP/out" 2>&1 || { cat "$TMP/out"; fail "pool_unit failed"; }
grep -q '^ok: ' "$TMP/out" || { cat "$TMP/out"; fail "pool_unit printed no result"; }
# toy-ft's size classes are multiples of 8 bytes, not 16 (pool.h).
$cc $flags -DTOY_FREE_THREADED -o "$TMP/pool_unit_ft" $src 2> "$TMP/cc.err" || { cat "$TMP/cc.err"; fail "pool_unit.c (toy-ft) does not build"; }
"$TMP/pool_unit_ft" > "$TMP/out" 2>&1 || { cat "$TMP/out"; fail "pool_unit (toy-ft) failed"; }
grep -q '^ok: ' "$TMP/out" || { cat "$TMP/out"; fail "pool_unit (toy-ft) printed no result"; }
# ThreadSanitizer: the pools are shared by every thread behind one mutex.
# (A compiler without it, or a system where its runtime cannot start, only
# loses this half of the test.)
if $cc $flags -fsanitize=thread -o "$TMP/pool_unit_tsan" $src 2>/dev/null; then
    "$TMP/pool_unit_tsan" > "$TMP/tsan.out" 2>&1
    if grep -q 'WARNING: ThreadSanitizer\|^pool_unit:' "$TMP/tsan.out"; then
        head -40 "$TMP/tsan.out"
        fail "pool_unit under ThreadSanitizer"
    fi
fi
exit 0
