#!/usr/bin/env bash
# pgo-train.sh -- the training run of the profile-guided build.
#
#   scripts/build/pgo-train.sh BINARY
#
# BINARY is an instrumented interpreter (compiled with -fprofile-generate:
# the Makefile's build-pgogen*/ folders). Running it writes, beside each of
# its object files, a .gcda file of how often each branch went which way;
# the optimised build reads those counts back (-fprofile-use) to place the
# hot paths of the eval loop together and the error paths out of the way.
#
# The training programs are the workloads of scripts/build/pgo/ (small
# programs of the kinds learners write: floats, text, classes, containers,
# recursion; see its README), the test suite's single-threaded script tests
# (tests/TOPIC/*.toy of the topics listed below, each run once, its output
# and exit status ignored: a test of an error is as good a workload as
# any), and one run of scripts/threads/cpu_bound.toy with threads (see its
# end) so that the paths threads take are counted too. No benchmark is
# among them: the speed make bench reports is the speed of programs the
# profile has not seen.
# The training is repeatable: the tests that start threads or processes
# are left out, and every run goes without address-space randomisation, so
# two builds of the same sources get the same profile and the same eval
# loop (only the counts of the threaded run may differ: the GIL's
# contended paths, and by an increment or two the paths around them, since
# the counters are plain additions: PGO_GEN in the Makefile). Before, the
# same sources built twice could differ by 15% in loop.toy's time.
# PGO_TRAIN_SET=bench trains on the benchmark suite at its small sizes
# instead (about 1/50 of what make bench measures: scripts/bench/sizes.sh),
# to measure how much a profile of the measured programs themselves would
# flatter them; $PGO_TRAIN_SKIP then names benchmarks to leave out (e.g.
# "nbody raytrace"). docs/internals.md ("The profile-guided build") has the
# comparison. The threaded run must succeed: a failure there fails the
# build, as it would mean the interpreter is broken.
set -euo pipefail

toy=${1:?usage: pgo-train.sh BINARY}
shift
root=$(cd "$(dirname "$0")/../.." && pwd)
bench=$root/scripts/bench
. "$bench/sizes.sh"

# The same profile from every training run: without address-space
# randomisation, object addresses (and so the hashes of objects that hash
# by identity, the order of the sets and dicts holding them, and the paths
# of their lookups) repeat from one run to the next.
norandom=()
if setarch "$(uname -m)" -R true 2>/dev/null; then
    norandom=(setarch "$(uname -m)" -R)
fi
toy_run() { "${norandom[@]}" "$toy" "$@"; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

skipped() { case " ${PGO_TRAIN_SKIP:-} " in *" $1 "*) return 0 ;; esac; return 1; }

run() { # SCRIPT [ARGS...]
    if ! toy_run "$@" > "$tmp/out" 2>&1; then
        echo "pgo-train.sh: $toy $* failed:" >&2
        tail -5 "$tmp/out" >&2
        exit 1
    fi
}

TOPICS="bigint builtins bytes calls classes complex control dict dir errors
        exceptions fastpath files format functions gc generators imports io json
        lexical list memory modules sets slots specialize stdlib str types weakref"

# A test that starts threads or processes is left out: what it counts
# depends on how its threads were scheduled, so the profile, and with it
# the optimised build, would differ from one build to the next.
starts_threads() { grep -qE 'threading|_thread|multiprocessing|concurrent|os\.fork' "$1"; }

train_on_tests() {
    local topic src
    for src in "$root"/scripts/build/pgo/*.toy; do
        run "$src"
    done
    for topic in $TOPICS; do
        for src in "$root/tests/$topic"/*.toy; do
            starts_threads "$src" && continue
            timeout 20 "${norandom[@]}" "$toy" "$src" </dev/null >/dev/null 2>&1 || true
        done
    done
}

train_on_benchmarks() {
    local src name expr
    for src in "$bench"/*.toy; do
        name=$(basename "$src" .toy)
        skipped "$name" && continue
        expr=$(shrink "$name")
        if [ -n "$expr" ]; then
            sed "$expr" "$src" > "$tmp/$name.toy"
            run "$tmp/$name.toy"
        else
            run "$src"
        fi
    done
    for src in "$bench"/programs/*.toy; do
        name=$(basename "$src" .toy)
        skipped "$name" && continue
        run "$src" "$(program_size "$name")"
    done
}

case ${PGO_TRAIN_SET:-tests} in
tests) train_on_tests ;;
bench) train_on_benchmarks ;;
*) echo "pgo-train.sh: PGO_TRAIN_SET is tests or bench, not $PGO_TRAIN_SET" >&2; exit 2 ;;
esac
# The paths a program takes once its threads run. Under a GIL the threads
# take turns, and only the lock's own contended paths count differently
# from one run to the next (and, the counters being plain additions, a
# path near a switch by a count or two). toy-ft's threads run at once, and how often
# they met would change the eval loop's profile from build to build: there
# the same work runs in one thread with TOY_FT_THREADS_STARTED=1, which
# takes every path of threads started (the locks, the shared counts) in
# one fixed order.
cpu_bound=$root/scripts/threads/cpu_bound.toy
if [ "$(toy_run -c 'import sys; print(sys._is_gil_enabled())')" = False ]; then
    TOY_FT_THREADS_STARTED=1 run "$cpu_bound" sequential 20000
else
    run "$cpu_bound" threads 20000
fi
