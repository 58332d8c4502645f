# --stats counts the instructions specialised and turned back: a site that
# keeps seeing one kind of object is specialised once and stays so; one
# that sees two kinds in turn is turned back. Nothing is specialised with
# TOY_SPECIALIZE=0 or under --no-gil, and toy-ft has no such line.
. tests/tools/testlib.sh
unset TOY_SPECIALIZE # set below where a run wants it off

run_toy -c 'import sys; print(sys._is_gil_enabled())'
[ "$(cat "$TMP/out")" = True ] || skip "the free-threaded build never specialises"

cat > "$TMP/mono.toy" <<'PROG'
class P:
    def __init__(self):
        self.x = 0

    def step(self):
        self.x = self.x + len("ab")


def run():
    p = P()
    for i in range(50):
        p.step()
    return p.x


print(run())
PROG
cat > "$TMP/poly.toy" <<'PROG'
class A:
    def __init__(self):
        self.x = 1


class B:
    def __init__(self):
        self.y = 0
        self.x = 2


def get(o):
    return o.x


objs = [A(), B()]
t = 0
for i in range(100):
    t += get(objs[i // 20 % 2])
print(t)
PROG

# counts FILE: "SPECIALISED DESPECIALISED" from the --stats line
counts() {
    sed -n 's/^specialised: \([0-9]*\), despecialised: \([0-9]*\)$/\1 \2/p' "$1"
}

run_toy --stats "$TMP/mono.toy"
expect_status 0
set -- $(counts "$TMP/err")
[ $# = 2 ] || { dump; fail "no 'specialised: N, despecialised: M' line"; }
# LOAD_GLOBAL len, LOAD_ATTR self.x, STORE_ATTR self.x, LOAD_METHOD p.step
[ "$1" -ge 4 ] && [ "$2" = 0 ] || { dump; fail "monomorphic sites: expected >= 4 and 0, got $1 and $2"; }

run_toy --stats "$TMP/poly.toy"
expect_status 0
set -- $(counts "$TMP/err")
[ "$2" -ge 1 ] || { dump; fail "a site seeing two classes was never turned back"; }

for how in "env TOY_SPECIALIZE=0 $TOY --stats" "$TOY --no-gil --stats"; do
    $how "$TMP/mono.toy" > "$TMP/out" 2> "$TMP/err"
    grep -qx 'specialised: 0, despecialised: 0' "$TMP/err" ||
        { rc=$?; dump; fail "$how: expected nothing specialised"; }
done

ft=$(dirname "$TOY")/toy-ft
if [ -x "$ft" ]; then
    "$ft" --stats "$TMP/mono.toy" > "$TMP/out" 2> "$TMP/err"
    ! grep -q '^specialised:' "$TMP/err" || { rc=0; dump; fail "toy-ft reports specialising"; }
fi
exit 0
