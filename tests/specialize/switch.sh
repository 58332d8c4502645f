# TOY_SPECIALIZE turns quickening off, or on for some families only: every
# program of this folder must print the same with each setting (the
# generic and the specialised instructions agree); an unknown family name
# is ignored.
. tests/tools/testlib.sh

for setting in 0 global attr method store call global,attr,method,store,call bogus; do
    for t in tests/specialize/*.toy tests/calls/quickened_sites.toy tests/calls/quickened_init.toy \
             tests/classes/attr_insert_paths.toy tests/classes/binop_frames.toy; do
        TOY_SPECIALIZE=$setting run_toy "$t"
        expect_status 0
        cmp -s "$TMP/out" "${t%.toy}.out" ||
            { dump; fail "TOY_SPECIALIZE=$setting $t: stdout differs from ${t%.toy}.out"; }
    done
done
exit 0
