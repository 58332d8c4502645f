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
# The training programs are the benchmark suite at its small sizes (about
# 1/50 of what make bench measures: scripts/bench/sizes.sh), plus one
# threaded run of scripts/threads/cpu_bound.toy so that the paths threads
# take are counted too. docs/internals.md ("The profile-guided build")
# measures what the profile is worth on programs left out of the training.
# $PGO_TRAIN_SKIP names benchmarks to leave out of the training (e.g.
# "nbody raytrace"), to measure the profile on programs it has not seen.
# A program that fails here fails the build: it would mean the interpreter
# is broken, and its profile would be too.
set -euo pipefail

toy=${1:?usage: pgo-train.sh BINARY}
shift
root=$(cd "$(dirname "$0")/../.." && pwd)
bench=$root/scripts/bench
. "$bench/sizes.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

skipped() { case " ${PGO_TRAIN_SKIP:-} " in *" $1 "*) return 0 ;; esac; return 1; }

run() { # SCRIPT [ARGS...]
    if ! "$toy" "$@" > "$tmp/out" 2>&1; then
        echo "pgo-train.sh: $toy $* failed:" >&2
        tail -5 "$tmp/out" >&2
        exit 1
    fi
}

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
run "$root/scripts/threads/cpu_bound.toy" threads 20000
