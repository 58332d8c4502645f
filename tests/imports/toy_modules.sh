# Modules written as .toy files (CPython cannot import those, so this is a
# shell test): name.toy comes before name.py, __init__.toy before
# __init__.py; sys.path[0] for -c and stdin; a module run as the script.
. tests/tools/testlib.sh

mkdir -p "$TMP/d/tpkg" "$TMP/d/both"
cat > "$TMP/d/tmod.toy" <<'TOY'
"""tmod, the .toy one"""
KIND = "toy"
TOY
echo 'KIND = "py"' > "$TMP/d/tmod.py"
echo 'KIND = "py only"' > "$TMP/d/pymod.py"
echo 'from .tsub import WHO' > "$TMP/d/tpkg/__init__.toy"
echo 'WHO = "tpkg.tsub"' > "$TMP/d/tpkg/tsub.toy"
echo 'WHICH = "__init__.toy"' > "$TMP/d/both/__init__.toy"
echo 'WHICH = "__init__.py"' > "$TMP/d/both/__init__.py"
cat > "$TMP/d/main.toy" <<'TOY'
import sys, tmod, pymod, tpkg, both
print(tmod.KIND, tmod.__doc__, pymod.KIND, tpkg.WHO, both.WHICH)
print(tmod.__file__ == sys.path[0] + "/tmod.toy", tpkg.__file__ == sys.path[0] + "/tpkg/__init__.toy")
print(tpkg.__path__ == [sys.path[0] + "/tpkg"], tpkg.tsub.__name__)
if __name__ == "__main__":
    print("main.toy runs as the script")
TOY

run_toy --stats "$TMP/d/main.toy"
expect_status 0
expect_stdout "toy tmod, the .toy one py only tpkg.tsub __init__.toy
True True
True tpkg.tsub
main.toy runs as the script"
expect_in_stderr "leaked: 0"

# sys.path[0] is the script's folder, links resolved (as CPython)
real=$(cd "$TMP/d" && pwd -P)
run_toy -c 'import sys; print(sys.path[0])'
expect_stdout ""
cd "$TMP/d" || fail "cd"
run_toy "$TMP/d/main.toy"
expect_in_stdout "toy tmod"

# -c and stdin: sys.path[0] is '' (the current folder); __file__ is absolute
run_toy -c 'import sys, tmod; print(repr(sys.path[0]), tmod.__file__)'
expect_stdout "'' $real/tmod.toy"
TOY_STDIN=<(echo 'import sys, tmod; print(repr(sys.path[0]), tmod.KIND, __file__)') run_toy -
expect_stdout "'' toy <stdin>"

# the same module run as the script: __name__ is '__main__'
cat > guard.toy <<'TOY'
print(__name__)
if __name__ == "__main__":
    import guard
    print("imported guard:", guard.__name__)
TOY
run_toy guard.toy
expect_status 0
expect_stdout "__main__
guard
imported guard: guard"

# import * inside a function is a SyntaxError, and compiles to nothing at all
printf 'def f():\n    from tmod import *\n' > star.toy
check_syntax_error star.toy 2 "from tmod import *" SyntaxError
exit 0
