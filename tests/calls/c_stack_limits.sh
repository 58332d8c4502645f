# The C-stack guard under several stack sizes: recursion through C (repr of
# a deeply nested list, a comparison that recurses in Toy) never overflows
# the main thread's stack (RecursionError when it would), and Toy
# recursion still reaches the recursion limit. The main thread's bound is
# computed from RLIMIT_STACK (frame.c), an unlimited stack falls back to
# asking the thread library.
. tests/tools/testlib.sh

cat > "$TMP/deep.toy" <<'PY'
import sys
sys.setrecursionlimit(1000000)
x = []
for i in range(20000):
    x = [x]
try:
    repr(x)
    print("repr finished")
except RecursionError:
    print("RecursionError")


class K:
    def __lt__(self, other):
        return down(5000)


def down(n):
    return True if n == 0 else down(n - 1)


print(sorted([K(), K()]) is not None)


def depth(n):
    return 0 if n == 0 else 1 + depth(n - 1)


print(depth(20000))
PY

for size in 1024 8192 65536 unlimited; do
    (ulimit -s "$size" 2>/dev/null) || continue
    rc=0
    (ulimit -s "$size"; exec "$TOY" "$TMP/deep.toy") > "$TMP/out" 2> "$TMP/err" || rc=$?
    expect_status 0
    # the repr finishes when the stack is big enough, and raises otherwise
    first=$(head -n 1 "$TMP/out")
    case $first in RecursionError | "repr finished") ;; *) dump; fail "ulimit -s $size: $first" ;; esac
    printf 'True\n20000\n' | cmp -s - <(tail -n +2 "$TMP/out") ||
        { dump; fail "ulimit -s $size: unexpected output"; }
done
exit 0
