# The layer check must fail when a rule is broken: copy the tree's sources to
# a scratch folder, add one forbidden include (an object type reaching into
# a C module), and expect layers.sh to name it.
. tests/tools/testlib.sh

mkdir -p "$TMP/tree/tests"
cp -r runtime interp "$TMP/tree/"
cp -r tests/tools tests/layout "$TMP/tree/tests/"
echo '#include "modules/thread.h"' >> "$TMP/tree/runtime/objects/list.c"
out=$(cd "$TMP/tree" && bash tests/layout/layers.sh 2>&1) && fail "layers.sh passed a forbidden include"
echo "$out" | grep -q 'runtime/objects/list.c (objects) may not include "modules/thread.h"' ||
    fail "layers.sh did not name the forbidden include: $out"
echo '#include "core/gil.h"' > "$TMP/tree/runtime/core/extra.h"
echo '#include "objects/list.h"' >> "$TMP/tree/runtime/core/extra.h"
sed -i '$d' "$TMP/tree/runtime/objects/list.c"
out=$(cd "$TMP/tree" && bash tests/layout/layers.sh 2>&1) && fail "layers.sh let core include objects"
echo "$out" | grep -q 'runtime/core/extra.h (core) may not include "objects/list.h"' || fail "$out"
exit 0
