# --stats: the block is printed once, by the parent (children leave with
# _exit and print nothing of it), and nothing leaks in the parent.
. tests/tools/testlib.sh
cat > "$TMP/prog.toy" <<'PROG'
import multiprocessing as mp
import os

def square(x):
    return x * x

def child(q):
    q.put([i * i for i in range(100)])

if __name__ == "__main__":
    q = mp.Queue()
    ps = [mp.Process(target=child, args=(q,)) for i in range(3)]
    for p in ps:
        p.start()
    print(sum([sum(q.get()) for p in ps]))
    for p in ps:
        p.join()
    with mp.Pool(2) as pool:
        print(pool.map(square, range(5)))
    pid = os.fork()
    if pid == 0:
        print("os.fork child runs to the normal end")
    else:
        os.waitpid(pid, 0)
PROG
run_toy --stats "$TMP/prog.toy"
expect_status 0
expect_in_stdout "985050"
expect_in_stdout "[0, 1, 4, 9, 16]"
expect_in_stdout "os.fork child runs to the normal end"
n=$(grep -c -- '--- toy stats ---' "$TMP/err")
[ "$n" = 1 ] || { dump; fail "expected exactly one stats block, got $n"; }
grep -qx 'leaked: 0' "$TMP/err" || { dump; fail "expected 'leaked: 0'"; }
exit 0
