# stdout and stderr merged into one pipe: print(), sys.stdout.write() and
# sys.stderr share stdio's streams, so with flushes the order is exactly the
# order of the calls (as in CPython), and without them stdout text comes out
# in order after the stderr lines (stdout is block-buffered on a pipe).
. tests/tools/testlib.sh
# The runner self-check's stand-in collects stderr apart, so order is lost.
case $TOY in *fake_toy.sh) skip "fake_toy.sh cannot merge the streams in order" ;; esac
cat > "$TMP/order.py" <<'PY'
import sys
print("out 1", flush=True)
sys.stderr.write("err 1\n")
sys.stdout.write("out 2\n")
sys.stdout.flush()
print("err 2", file=sys.stderr)
print("out 3", end="")
print(" same line")
sys.stdout.flush()
sys.stderr.write("err 3\n")
sys.stdout.write("buffered a\n")
print("buffered b")
sys.stderr.write("err 4\n")
PY
"$TOY" "$TMP/order.py" > "$TMP/out" 2>&1 < /dev/null
rc=$?
expect_status 0
expect_stdout "out 1
err 1
out 2
err 2
out 3 same line
err 3
err 4
buffered a
buffered b"
