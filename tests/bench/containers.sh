# The containers job of the free-threading benchmark
# (scripts/threads/containers.toy): both modes hold CPython's count of
# items for the same steps, so the two modes do the same work.
. tests/tools/testlib.sh

for mode in sequential threads; do
    run_toy scripts/threads/containers.toy "$mode" 1000
    expect_status 0
    expect_in_stdout "mode: $mode, 4 pieces of 1000 steps"
    expect_in_stdout "items held: 16000"
done
run_toy scripts/threads/containers.toy fast
expect_status 2
expect_in_stdout "usage: containers.toy"
