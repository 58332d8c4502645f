# --dis shows the set opcodes: BUILD_SET for displays, SET_UPDATE for
# starred items and constant displays (a frozenset constant), SET_ADD in a
# set comprehension; a for loop over a constant display iterates the
# frozenset constant itself.
. tests/tools/testlib.sh
run_toy --dis -c 'a = 1
s = {a, 2}
t = {*s, a}
u = {1, 2, 3}
v = {x for x in s}
for y in {4, 5}: pass'
expect_status 0
expect_in_stdout "BUILD_SET                2"
expect_in_stdout "SET_UPDATE               1"
expect_in_stdout "SET_ADD                  1"
expect_in_stdout "SET_ADD                  2"
expect_in_stdout "(frozenset({1, 2, 3}))"
expect_in_stdout "(frozenset({4, 5}))"
expect_in_stdout "<setcomp>"
