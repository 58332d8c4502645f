# A dict made readable without its lock (an instance dict whose attribute
# a thread read lock-free, objects/dict.h) frees its tables when the dict
# itself is freed: no lock-free reader can reach a dict whose count has
# reached zero. Kept instead until the world stops, as a resize's old
# tables are, they piled up: four threads making and dropping 200,000
# such objects with the collector off (so the world never stops) grew the
# process by 50 MiB. Now by under 16 MiB (about 2 MiB measured).
. tests/tools/testlib.sh
[ -z "$TOY_TEST_SANITIZER" ] ||
    skip "a sanitizer build keeps freed memory in quarantine, so the growth says nothing"
prog='import gc, threading

def rss_kib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])

class Point:
    def __init__(self, k):
        self.x = k
        self.y = 2

def churn(n, out, k):
    total = 0
    for i in range(n):
        p = Point(i % 100)
        total += p.x + p.y
    out[k] = total

gc.disable()
out = [0] * 4
before = rss_kib()
threads = [threading.Thread(target=churn, args=(50000, out, k)) for k in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(out, rss_kib() - before)'
run_toy -c "$prog"
expect_status 0
read -r line < "$TMP/out"
case $line in
    "[2575000, 2575000, 2575000, 2575000] "*) ;;
    *) dump; fail "wrong sums: $line" ;;
esac
grown=${line##* }
[ "$grown" -lt 16384 ] || { dump; fail "freeing 200,000 instance dicts grew the process by $grown KiB"; }
exit 0
