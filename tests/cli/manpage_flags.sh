# The man page and `toy --help` document the same flags: every flag --help
# lists is in toy.1, and every flag toy.1 gives is either listed by --help
# or accepted by toy (short aliases such as -h and -V), so the two cannot
# drift apart.
. tests/tools/testlib.sh

# flags FILE -> one flag a line (`-c`, `--gil-trace`, ...): a dash or two and
# a letter, not inside a word (so not the hyphen of "non-atomic").
flags() {
    grep -oE '(^|[^A-Za-z0-9-])--?[A-Za-z][A-Za-z-]*' "$1" | sed 's/^[^-]*//' | sort -u
}

run_toy --help
expect_status 0
cp "$TMP/out" "$TMP/help"
grep -v '^\.\\"' toy.1 | sed 's/\\-/-/g' > "$TMP/man" # no comments; troff writes - as \-
flags "$TMP/help" > "$TMP/help.flags"
flags "$TMP/man" > "$TMP/man.flags"
[ "$(wc -l < "$TMP/help.flags")" -ge 8 ] || { cat "$TMP/help.flags"; fail "too few flags found in --help"; }

missing=$(comm -23 "$TMP/help.flags" "$TMP/man.flags")
[ -z "$missing" ] || fail "toy.1 lacks flags that --help lists: $(echo $missing)"

for f in $(comm -13 "$TMP/help.flags" "$TMP/man.flags"); do
    "$TOY" "$f" -c pass > /dev/null 2>&1 ||
        fail "toy.1 documents $f, which --help does not list and toy does not accept"
done
exit 0
