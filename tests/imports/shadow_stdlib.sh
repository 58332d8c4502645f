# A module file beside the script hides a standard module that CPython
# writes in Python (random, copy, threading, ...), as in CPython; one that
# CPython builds into the interpreter (itertools) cannot be hidden; a
# folder without __init__ (a namespace package) does not hide either.
. tests/tools/testlib.sh

printf 'print("my own random")\nrandom = lambda: 4\n' > "$TMP/random.py"
printf 'raise SystemExit("my itertools must not be imported")\n' > "$TMP/itertools.py"
mkdir "$TMP/copy"
cat > "$TMP/main.py" <<'PY'
import random, itertools, copy, threading
print(random.random())
print(list(itertools.islice(itertools.count(5), 3)))
print(copy.copy([1, 2]), threading.current_thread().name)
PY
run_toy "$TMP/main.py"
expect_status 0
expect_stdout "my own random
4
[5, 6, 7]
[1, 2] MainThread"
