# --stats counts the instructions specialised and turned back: a site that
# keeps seeing one kind of object is specialised once and stays so; one
# that sees two kinds in turn is turned back, unless both are plain classes
# whose instance dicts answer first (then LOAD_ATTR_INSTANCE stays, and
# learns each instance's entry). Nothing is specialised with
# TOY_SPECIALIZE=0, nor by the GIL build under --no-gil. toy-ft (beside
# the binary tested) specialises each thread's copy and counts the same.
. tests/tools/testlib.sh
unset TOY_SPECIALIZE # set below where a run wants it off

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

    @property
    def z(self):
        return 3


def get(o):
    return o.x


objs = [A(), B()]
t = 0
for i in range(100):
    t += get(objs[i // 20 % 2])
print(t)
PROG
# as poly.toy, but B is plain too (no data descriptor): x is at entry 1 of
# its instances' dicts, entry 0 of A's
sed 's/^    @property$//; s/^    def z(self):$//; s/^        return 3$//' "$TMP/poly.toy" > "$TMP/poly_plain.toy"

# counts FILE: "SPECIALISED DESPECIALISED" from the --stats line
counts() {
    sed -n 's/^specialised: \([0-9]*\), despecialised: \([0-9]*\)$/\1 \2/p' "$1"
}

# check BINARY: the counts of the two programs, and none when off.
check() {
    "$1" --stats "$TMP/mono.toy" > "$TMP/out" 2> "$TMP/err" || { rc=$?; dump; fail "$1: mono failed"; }
    set -- "$1" $(counts "$TMP/err")
    [ $# = 3 ] || { dump; fail "$1: no 'specialised: N, despecialised: M' line"; }
    # LOAD_GLOBAL len, LOAD_ATTR self.x, STORE_ATTR self.x, LOAD_METHOD p.step
    [ "$2" -ge 4 ] && [ "$3" = 0 ] ||
        { dump; fail "$1: monomorphic sites: expected >= 4 and 0, got $2 and $3"; }
    "$1" --stats "$TMP/poly.toy" > "$TMP/out" 2> "$TMP/err" || { rc=$?; dump; fail "$1: poly failed"; }
    set -- "$1" $(counts "$TMP/err")
    [ "$3" -ge 1 ] || { dump; fail "$1: a site seeing two classes was never turned back"; }
    "$1" --stats "$TMP/poly_plain.toy" > "$TMP/out" 2> "$TMP/err" || { rc=$?; dump; fail "$1: poly_plain failed"; }
    set -- "$1" $(counts "$TMP/err")
    [ "$3" = 0 ] && grep -qx 140 "$TMP/out" ||
        { dump; fail "$1: a site seeing two plain classes was turned back ($3) or read a wrong value"; }
    env TOY_SPECIALIZE=0 "$1" --stats "$TMP/mono.toy" > "$TMP/out" 2> "$TMP/err"
    grep -qx 'specialised: 0, despecialised: 0' "$TMP/err" ||
        { rc=$?; dump; fail "$1 with TOY_SPECIALIZE=0: expected nothing specialised"; }
}

check "$TOY"
ft=$(dirname "$TOY")/toy-ft
[ ! -x "$ft" ] || [ "$ft" -ef "$TOY" ] || check "$ft"

if [ "$("$TOY" -c 'import sys; print(sys._is_gil_enabled())')" = True ]; then
    "$TOY" --no-gil --stats "$TMP/mono.toy" > "$TMP/out" 2> "$TMP/err"
    grep -qx 'specialised: 0, despecialised: 0' "$TMP/err" ||
        { rc=$?; dump; fail "--no-gil: expected nothing specialised"; }
fi
exit 0
