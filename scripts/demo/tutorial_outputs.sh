#!/usr/bin/env bash
# scripts/demo/tutorial_outputs.sh - run every command shown in
# docs/tutorial.md and put what it printed, on this machine, under it.
#
#   scripts/demo/tutorial_outputs.sh [FILE]    (default docs/tutorial.md;
#                                               run from the repository root
#                                               after make)
#
# In the tutorial, a fenced block that opens with ```console holds commands,
# each on a line starting with "$ ", followed by their output. This script
# keeps the commands, runs each one with bash from the repository root
# (stdout and stderr together, as a terminal shows them), and replaces the
# old output with the new. Everything outside those blocks is left alone.
# A command that fails keeps its output: the tutorial shows failures too.
set -u
FILE=${1:-docs/tutorial.md}
[ -f "$FILE" ] || { echo "no $FILE" >&2; exit 2; }
[ -x ./toy ] || { echo "build ./toy first (make)" >&2; exit 2; }

out=$(mktemp)
trap 'rm -f "$out"' EXIT
in_block=0
while IFS= read -r line || [ -n "$line" ]; do
    if [ $in_block = 0 ]; then
        printf '%s\n' "$line" >> "$out"
        [ "$line" = '```console' ] && in_block=1
        continue
    fi
    case $line in
        '```')
            printf '%s\n' "$line" >> "$out"
            in_block=0 ;;
        '$ '*)
            printf '%s\n' "$line" >> "$out"
            echo "running: ${line#\$ }" >&2
            bash -c "${line#\$ }" < /dev/null >> "$out" 2>&1 ;;
        *) ;; # the previous output: replaced
    esac
done < "$FILE"
cp "$out" "$FILE"
