# TOY_SPECIALIZE turns quickening off, or on for some families only: every
# program of this folder must print the same with each setting (the
# generic and the specialised instructions agree); an unknown family name
# is ignored.
. tests/tools/testlib.sh

settings="0 global attr method store call global,attr,method,store,call bogus"
# A sanitizer build (tests/run.sh: TOY_TEST_SANITIZER) runs the programs
# with quickening off, the paths their ordinary runs never take; the mixes
# of one family at a time it leaves to the plain builds (about 250 runs,
# 40 seconds under AddressSanitizer).
[ -n "${TOY_TEST_SANITIZER:-}" ] && settings=0
for setting in $settings; do
    for t in tests/specialize/*.toy tests/calls/quickened_sites.toy tests/calls/quickened_init.toy \
             tests/classes/attr_insert_paths.toy tests/classes/binop_frames.toy; do
        TOY_SPECIALIZE=$setting run_toy "$t"
        expect_status 0
        cmp -s "$TMP/out" "${t%.toy}.out" ||
            { dump; fail "TOY_SPECIALIZE=$setting $t: stdout differs from ${t%.toy}.out"; }
    done
done
exit 0
