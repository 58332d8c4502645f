#!/usr/bin/env bash
# locked.sh -- which locked instructions a toy binary executes, and how often.
#
#   scripts/bench/locked.sh TOY SCRIPT [ARG...]
#
# Runs TOY SCRIPT under valgrind's callgrind with per-instruction counts,
# finds every locked instruction in TOY's machine code (a `lock` prefix, an
# `xchg` with memory, which locks without one, or an `mfence`) with
# objdump, and prints those that ran: count, function, instruction, then
# the total. On x86 each costs tens of cycles where a plain store costs
# one, but counts as one instruction in scripts/bench/cachegrind.sh, so
# only this shows them. Made for toy-ft, whose single-thread path should
# execute none past start-up (docs/internals.md, ch. 5b); the GIL build
# executes next to none anywhere.
set -u
if [ $# -lt 2 ]; then
    echo "usage: $0 TOY SCRIPT [ARG...]" >&2
    exit 2
fi
for tool in valgrind objdump python3; do
    command -v $tool >/dev/null || { echo "$0: $tool not found" >&2; exit 2; }
done
toy=$1
shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
valgrind --tool=callgrind --dump-instr=yes --compress-pos=no --compress-strings=no \
    --callgrind-out-file="$tmp/cg.out" "$toy" "$@" >/dev/null 2>"$tmp/vg.err" ||
    { cat "$tmp/vg.err" >&2; exit 1; }
objdump -d --no-show-raw-insn "$toy" >"$tmp/dis.txt"
python3 - "$tmp/dis.txt" "$tmp/cg.out" "$(basename "$toy")" <<'PY'
import collections, re, sys
dis, cg, name = sys.argv[1:4]
locked, fn = {}, None
for line in open(dis):
    m = re.match(r"^([0-9a-f]+) <(.*)>:$", line)
    if m:
        fn = m.group(2)
        continue
    m = re.match(r"^\s+([0-9a-f]+):\s+(\S.*)$", line)
    if m:
        ins = " ".join(m.group(2).split("#")[0].split())
        if ins.startswith(("lock ", "mfence")) or (ins.startswith("xchg") and "(" in ins):
            locked[int(m.group(1), 16)] = (fn, ins)
# callgrind: "ob=" names the binary of the lines that follow; a "calls="
# line is followed by the call's inclusive cost, which is not this line's.
counts, ours, after_call = collections.Counter(), False, False
for line in open(cg):
    if line.startswith("ob="):
        ours = line[3:].strip().endswith("/" + name) or line[3:].strip() == name
    elif line.startswith("calls="):
        after_call = True
    elif line.startswith("0x"):
        if not after_call and ours:
            addr, _, cost = line.split()[:3]
            if int(addr, 16) in locked:
                counts[int(addr, 16)] += int(cost)
        after_call = False
rows = sorted(((n, locked[a]) for a, n in counts.items()), reverse=True)
for n, (f, ins) in rows:
    print("%10d  %-32s %s" % (n, f, ins))
print("%10d  total" % sum(counts.values()))
PY
