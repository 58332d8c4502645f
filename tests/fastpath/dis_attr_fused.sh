# --dis shows LOAD_FAST_LOAD_ATTR and LOAD_FAST_STORE_ATTR with the local
# and the attribute name, the attribute word marked "+" and its cache
# words left out; the attribute pair is preferred to a pair that would
# take its LOAD_FAST as a second word (`self.x = x`).
. tests/tools/testlib.sh
cat > "$TMP/prog.toy" <<'PROG'
class P:
    def __init__(self, x):
        self.x = x

    def get(self, other):
        return max(self.x, other.x)


p = P(1)
for i in range(20):
    p.get(p)
PROG
run_toy --dis "$TMP/prog.toy"
expect_status 0
expect_in_stdout 'LOAD_FAST_STORE_ATTR  0, 0 (self) (x)'
expect_in_stdout '+ STORE_ATTR               0 (x)'
expect_in_stdout 'LOAD_FAST_LOAD_ATTR   0, 1 (self) (x)'
expect_in_stdout 'LOAD_FAST_LOAD_ATTR   1, 1 (other) (x)'
expect_in_stdout '+ LOAD_ATTR                1 (x)'
# `self.x = x`: LOAD_FAST x stays alone, not fused with LOAD_FAST self
grep -q 'LOAD_FAST_LOAD_FAST' "$TMP/out" && fail "LOAD_FAST_LOAD_FAST took an attribute pair's LOAD_FAST"
exit 0
