#!/usr/bin/env bash
# Seeds the fuzzing corpora under DIR (default build-fuzz):
#   DIR/corpus-compile/  every tests/**/*.toy (for fuzz_compile), plus the
#                        runtime's own modules (runtime/lib/*.toy);
#   DIR/corpus-run/      a few byte strings for fuzz_run's program generator.
# Files are named by content hash, so running it again only adds new seeds
# and never disturbs what the fuzzer has found since.
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=${1:-build-fuzz}
mkdir -p "$dir/corpus-compile" "$dir/corpus-run"
find tests runtime/lib -name '*.toy' -print0 |
while IFS= read -r -d '' f; do
    sum=$(cksum < "$f" | tr ' ' '-')
    [ -e "$dir/corpus-compile/seed-$sum" ] || cp "$f" "$dir/corpus-compile/seed-$sum"
done
# fuzz_run reads its input as a stream of choices; any bytes are valid.
# These steer it towards each kind of statement at least once.
i=0
for seed in '' '\x01' '\x03\x07\x02\x05\x01\x09' '\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8' \
            '\x10\x20\x30\x40\x50\x60\x70\x80\x90\xa0\xb0\xc0\xd0\xe0\xf0' \
            '\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05\x05' \
            '\x0b\x0c\x0d\x0e\x0f\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b'; do
    printf "$seed" > "$dir/corpus-run/seed-$i"
    i=$((i + 1))
done
for n in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do
    head -c 256 /dev/zero | tr '\0' "\\$(printf '%03o' $((n * 13 % 256)))" > "$dir/corpus-run/seed-fill-$n"
done
