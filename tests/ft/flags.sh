# toy --free-threaded and -X gil=0 run the free-threaded build beside toy;
# -X gil=1 keeps (in toy-ft: turns back on) the GIL; sys._is_gil_enabled()
# says which. Run with TOY=toy-ft: the plain toy sits beside it.
. tests/tools/testlib.sh
GIL_TOY=$(dirname "$TOY")/toy
[ -x "$GIL_TOY" ] || skip "needs ./toy beside $TOY"
prog='import sys; print(sys._is_gil_enabled())'
TOY=$GIL_TOY run_toy -c "$prog";                   expect_status 0; expect_stdout True
TOY=$GIL_TOY run_toy --free-threaded -c "$prog";   expect_status 0; expect_stdout False
TOY=$GIL_TOY run_toy -X gil=0 -c "$prog";          expect_status 0; expect_stdout False
TOY=$GIL_TOY run_toy -Xgil=0 -c "$prog";           expect_status 0; expect_stdout False
TOY=$GIL_TOY run_toy -X gil=1 -c "$prog";          expect_status 0; expect_stdout True
run_toy -c "$prog";                                 expect_status 0; expect_stdout False
run_toy -X gil=1 -c "$prog";                        expect_status 0; expect_stdout True
TOY=$GIL_TOY run_toy -X gil=2 -c "$prog";          expect_status 2
expect_in_stderr "toy: -X gil must be 0 or 1"
TOY=$GIL_TOY run_toy -X dev -c "$prog";            expect_status 2
expect_in_stderr "unknown -X option dev"
# toy-ft has no GIL, so no GIL policy: --gil= is refused (-X gil=1 brings
# the lock and its policies back); $TOY_GIL_POLICY is ignored there.
run_toy --gil=ticks -c "$prog";                     expect_status 2
expect_in_stderr "toy: --gil=ticks: the free-threaded build has no GIL (-X gil=1 runs it with one)"
TOY=$GIL_TOY run_toy --free-threaded --gil=priority -c "$prog"; expect_status 2
expect_in_stderr "the free-threaded build has no GIL"
TOY_GIL_POLICY=ticks run_toy -c "$prog";            expect_status 0; expect_stdout False
run_toy -X gil=1 --gil=ticks --stats -c "$prog";    expect_status 0; expect_stdout True
expect_in_stderr "gil policy: ticks"
TOY=$GIL_TOY run_toy --gil=ticks --stats -c "$prog"; expect_status 0; expect_stdout True
expect_in_stderr "gil policy: ticks"
# Without toy-ft beside it, toy says how to build it.
cp "$GIL_TOY" "$TMP/toy"
TOY=$TMP/toy run_toy --free-threaded -c "$prog";   expect_status 2
expect_in_stderr "make toy-ft"
exit 0
