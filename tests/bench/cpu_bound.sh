# The CPU-bound job of the threads, processes and free-threading benchmarks
# (scripts/threads/cpu_bound.toy, scripts/processes/cpu_bound.toy and
# executor_primes.toy): every mode counts CPython's primes below 3001, and
# every piece's count is CPython's for the same 64 blocks dealt in turn, so
# the pieces stay a fair split of the work in every script.
. tests/tools/testlib.sh

pieces="primes below 3001: 430 [110, 110, 107, 103]"
for mode in sequential threads native native-sequential; do
    run_toy scripts/threads/cpu_bound.toy "$mode" 3001
    expect_status 0
    expect_in_stdout "mode: $mode, 4 pieces: 64 blocks of 47 numbers dealt in turn"
    expect_in_stdout "$pieces"
done
for mode in sequential processes; do
    run_toy scripts/processes/cpu_bound.toy "$mode" 3001
    expect_status 0
    expect_in_stdout "$pieces"
done
for mode in threads processes; do
    run_toy scripts/processes/executor_primes.toy "$mode" 3001
    expect_status 0
    expect_in_stdout "$pieces"
done
run_toy scripts/threads/cpu_bound.toy fast
expect_status 2
expect_in_stdout "usage: cpu_bound.toy"
