# The ticks policy drops and re-takes the lock every check interval switch
# points, even with one thread: a loop of 20,000 backward jumps with
# sys.setcheckinterval(10) takes the lock about 2,000 times; the modern
# policy takes it only at start-up and after blocking calls. Counters only:
# no timing.
. tests/tools/testlib.sh
case $TOY in *fake_toy*) skip "toy-specific: --gil and --stats (runner self-check)" ;; esac
unset TOY_GIL_POLICY

prog='import sys
sys.setcheckinterval(10)
i = 0
while i < 20000:
    i += 1
print(i)'

main_acquisitions() { awk '$1 == "MainThread" && $2 == "acquisitions" { print $3 }' "$TMP/err"; }

run_toy --stats --gil=ticks -c "$prog"
expect_status 0
expect_stdout "20000"
n=$(main_acquisitions)
[ -n "$n" ] && [ "$n" -ge 2000 ] || { dump; fail "ticks: expected >= 2000 acquisitions, got ${n:-none}"; }

run_toy --stats --gil=modern -c "$prog"
expect_status 0
n=$(main_acquisitions)
[ -n "$n" ] && [ "$n" -lt 20 ] || { dump; fail "modern: expected a few acquisitions, got ${n:-none}"; }

# Two CPU-bound threads under ticks both finish, with the right results.
run_toy --stats --gil=ticks -c '
import threading
out = []
def work(k):
    s = 0
    for i in range(30000):
        s += i % k
    out.append((k, s))
ts = [threading.Thread(target=work, args=(k,)) for k in (7, 11)]
for t in ts: t.start()
for t in ts: t.join()
print(sorted(out))'
expect_status 0
expect_stdout "[(7, 89995), (11, 149988)]"
grep -qx 'leaked: 0' "$TMP/err" || { dump; fail "leak under ticks"; }
exit 0
