# Objects that gc.freeze(immortal=True) made immortal are never freed: --stats
# counts them on their own line, "immortal (gc.freeze): N", not as leaks.
. tests/tools/testlib.sh
f=$TMP/frozen.toy
printf 'import gc\ndata = [[i] for i in range(3000)]\ngc.freeze(immortal=True)\ndel data\nprint("done")\n' > "$f"
run_toy --stats "$f"
expect_status 0
expect_stdout done
grep -qx 'leaked: 0' "$TMP/err" || { dump; fail "expected 'leaked: 0'"; }
n=$(sed -n 's/^immortal (gc.freeze): //p' "$TMP/err")
[ -n "$n" ] && [ "$n" -gt 3000 ] || { dump; fail "expected 'immortal (gc.freeze):' above 3000"; }
# a plain gc.freeze() makes nothing immortal: everything is freed at exit
printf 'import gc\ndata = [[i] for i in range(3000)]\ngc.freeze()\nprint("done")\n' > "$f"
run_toy --stats "$f"
expect_status 0
grep -qx 'leaked: 0' "$TMP/err" || { dump; fail "expected 'leaked: 0' after a plain freeze"; }
if grep -q '^immortal' "$TMP/err"; then dump; fail "a plain gc.freeze() made objects immortal"; fi
# --no-gil: the walk needs every other thread to have ended (as gc.collect())
printf '%s\n' 'import gc, threading' 'stop = threading.Event()' \
    't = threading.Thread(target=stop.wait)' 't.start()' \
    'try:' '    gc.freeze(immortal=True)' 'except RuntimeError as e:' '    print("RuntimeError:", e)' \
    'stop.set()' 't.join()' 'data = [[1]]' 'gc.freeze(immortal=True)' 'print("frozen")' > "$f"
run_toy --stats --no-gil "$f"
expect_status 0
expect_stdout "RuntimeError: gc.freeze(immortal=True) with --no-gil needs every other thread to have ended
frozen"
grep -qx 'leaked: 0' "$TMP/err" || { dump; fail "expected 'leaked: 0' with --no-gil"; }
