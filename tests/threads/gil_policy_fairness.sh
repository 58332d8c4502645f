# No starvation under the priority policy, from --stats counters (never from
# durations):
#   - two CPU-bound threads still take turns: each takes the lock at least
#     35% of the times the two of them took it (their loops must run for
#     at least 20 switch intervals to judge: a faster eval loop needs a
#     longer loop here);
#   - a CPU-bound thread beside four threads that block and wake up without
#     pause (each return from a blocking call is served first) still gets
#     the lock and finishes its work.
. tests/tools/testlib.sh
case $TOY in *fake_toy*) skip "toy-specific: --gil and --stats (runner self-check)" ;; esac
unset TOY_GIL_POLICY

cat > "$TMP/two.toy" << 'EOF2'
import threading
go = threading.Event()
def spin(name):
    go.wait()
    n = 0
    for i in range(6000000):
        n += i & 3
    print(name, n)
ts = [threading.Thread(target=spin, args=(k,), name=k) for k in ("left", "right")]
for t in ts: t.start()
go.set()
for t in ts: t.join()
EOF2

acq() { awk -v n="$1" '$1 == n && $2 == "acquisitions" { print $3 }' "$TMP/err"; }

for policy in priority modern; do
    run_toy --stats --gil=$policy --switch-interval=1 "$TMP/two.toy"
    expect_status 0
    [ "$(sort "$TMP/out")" = "$(printf 'left 9000000\nright 9000000')" ] || { dump; fail "$policy: results"; }
    a=$(acq left); b=$(acq right)
    [ -n "$a" ] && [ -n "$b" ] || { dump; fail "$policy: no acquisitions counted"; }
    [ $((a + b)) -ge 20 ] || { dump; fail "$policy: too few handovers to judge ($a + $b)"; }
    [ $((a * 100)) -ge $(((a + b) * 35)) ] && [ $((b * 100)) -ge $(((a + b) * 35)) ] ||
        { dump; fail "$policy: unfair shares of the lock: left $a, right $b"; }
done

# Four threads that do nothing but sleep(0): each wake-up asks for the lock
# ahead of the CPU-bound thread. The CPU-bound one must still finish (its
# loop long enough to outlast one switch interval).
run_toy --stats --gil=priority --switch-interval=1 -c '
import threading, time
done = []
def io():
    while not done:
        time.sleep(0)
def cpu():
    n = 0
    for i in range(1500000):
        n += 1
    done.append(n)
ios = [threading.Thread(target=io) for _ in range(4)]
for t in ios: t.start()
c = threading.Thread(target=cpu, name="cpu")
c.start()
c.join()
for t in ios: t.join()
print(done)'
expect_status 0
expect_stdout "[1500000]"
n=$(acq cpu)
[ -n "$n" ] && [ "$n" -ge 2 ] || { dump; fail "the CPU-bound thread's acquisitions: ${n:-none}"; }
exit 0
