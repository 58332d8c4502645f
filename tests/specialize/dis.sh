# --dis leaves the inline cache words out, as CPython 3.11's dis does,
# while the offsets count them (2 per word) and jumps land past them.
. tests/tools/testlib.sh

printf 'while o.n:\n    o.n = len(o.m())\n' > "$TMP/prog.toy"
run_toy --dis "$TMP/prog.toy"
expect_status 0
cat > "$TMP/expected" <<'LISTING'
  1     >>    0 LOAD_NAME                0 (o)
             10 LOAD_ATTR                1 (n)
             20 POP_JUMP_IF_FALSE       39 (to 78)

  2          22 PUSH_NULL
             24 LOAD_NAME                2 (len)
             34 LOAD_NAME                0 (o)
             44 LOAD_METHOD              3 (m)
             54 CALL                     0
             56 CALL                     1
             58 LOAD_NAME                0 (o)
             68 STORE_ATTR               1 (n)

  1          76 JUMP                     0 (to 0)
        >>   78 LOAD_CONST               0 (None)
             80 RETURN_VALUE
LISTING
diff -u "$TMP/expected" "$TMP/out" || fail "--dis listing differs"
exit 0
