# The programs of tests/specialize/ (each makes the inline caches go stale
# in one way) once more under toy-ft, where every thread quickens its own
# copy of the code: the same output as the GIL build, with quickening on,
# off, and for each family alone.
# test-timeout: 90
. tests/tools/testlib.sh

settings="1 0 global attr method store"
# A sanitizer build (tests/run.sh: TOY_TEST_SANITIZER) runs them with
# quickening on and off; each family alone is left to the plain build.
[ -n "${TOY_TEST_SANITIZER:-}" ] && settings="1 0"
for setting in $settings; do
    for t in tests/specialize/*.toy; do
        TOY_SPECIALIZE=$setting run_toy "$t"
        expect_status 0
        cmp -s "$TMP/out" "${t%.toy}.out" ||
            { dump; fail "toy-ft, TOY_SPECIALIZE=$setting $t: stdout differs from ${t%.toy}.out"; }
    done
done
exit 0
