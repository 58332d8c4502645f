# TOY_FT_THREADS_STARTED=1 runs toy-ft as if a second thread had already
# been started (make bench-ft measures the locked paths with it): every
# stripe by compare-and-swap, no shortcut of being alone. Programs print the
# same as without it: single-threaded ones, and threaded ones whose first
# thread starts while a stripe is held.
. tests/tools/testlib.sh
for t in alone_dict_eq_nested alone_sort_key_starts_thread list_index_resize globals_lockfree; do
    TOY_FT_THREADS_STARTED=1 run_toy "tests/ft/$t.toy"
    expect_status 0
    expect_stdout "$(cat "tests/ft/$t.out")"
done
prog='d = {i: [i] for i in range(100)}
lst = [x[0] for x in d.values()]
lst[5] = lst[-1] + lst[2]
print(sum(lst), len(d), sorted(lst)[:3])'
TOY_FT_THREADS_STARTED=1 run_toy -c "$prog"; expect_status 0; expect_stdout "5046 100 [0, 1, 2]"
TOY_FT_THREADS_STARTED=0 run_toy -c "$prog"; expect_status 0; expect_stdout "5046 100 [0, 1, 2]"
exit 0
