# --no-gil: the main thread still gets the KeyboardInterrupt while a worker
# thread runs in parallel; the worker is not interrupted and finishes its
# sum. (The two threads share no object while both run: with --no-gil that
# would be a reference-count race, which is the lesson of --no-gil.)
. tests/tools/testlib.sh
. tests/tools/sigint.sh

cat > "$TMP/prog.toy" <<'PROG'
import sys, threading
result = [None]
def work():
    total = 0
    for i in range(2000000):
        total += i
    result[0] = total
t = threading.Thread(target=work)
t.start()
print("ready", file=sys.stderr, flush=True)
try:
    while True:
        pass
except KeyboardInterrupt:
    print("main interrupted")
t.join()
print(result[0])
PROG
start_toy --no-gil "$TMP/prog.toy"
wait_for_stderr ready
interrupt
finish_toy
expect_status_exact 0
expect_stdout "main interrupted
1999999000000"
