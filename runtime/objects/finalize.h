/* finalize.h - __del__: running an instance's finalizer when its count
 * reaches zero, and at exit for the instances still alive.
 *
 * A class whose chain defines __del__ has TYPE_FINALIZER and a dealloc
 * (class.c) that calls finalize_on_dealloc() before freeing the instance.
 * The finalizer runs at most once per object, as in CPython (PEP 442): if
 * __del__ stores self somewhere, the object stays alive ("resurrected"), and
 * when it dies again it is freed without a second call. An exception that
 * escapes __del__ is printed as "Exception ignored in: <function C.__del__
 * at 0x...>" and its traceback, and otherwise ignored.
 *
 * Where Toy code runs from here: __del__ runs inside whatever released the
 * last reference (a DECREF anywhere in the C code, the eval loop's stores and
 * `del`, a container dropping its items), on that thread, with the GIL held.
 * While it runs, the eval loop may hand the GIL to another thread, so any C
 * code that releases a reference must already expect arbitrary code to run
 * there (refcount.h's rule: store before releasing, no borrowed pointer
 * across a release). The exception being raised or handled around the
 * release is kept aside and restored.
 *
 * The set of objects whose finalizer has already run (resurrected ones, and
 * at exit the ones finalized while still alive) is protected by the GIL;
 * with --no-gil it races like every other shared structure.
 */
#ifndef TOY_FINALIZE_H
#define TOY_FINALIZE_H

#include <stdbool.h>

#include "core/object.h"

/* A class with __del__ now exists (class.c, when it sets TYPE_FINALIZER):
   from then on exit runs finalize_namespace. */
void finalize_note_class(void);
bool finalize_any_class(void);

/* self's count reached zero and its class has TYPE_FINALIZER: run __del__
   unless it ran before. True when __del__ resurrected self (the dealloc must
   then leave it alone); false when self is to be freed now. */
bool finalize_on_dealloc(Object *self);

/* The cycle collector found self (alive, TYPE_FINALIZER) in garbage: run
   its __del__ unless it ran before, and remember that it ran, so that the
   free that follows does not run it again (PEP 442). */
void finalize_run_once(Object *self);
/* Has self's __del__ run while it stays alive? (gc.is_finalized) */
bool finalize_is_done(Object *self);

/* At exit, before the namespace dict of a module is cleared: run __del__ of
   the instances it reaches, everything still intact, in the order CPython's
   final collection shows for the common cases: the instances the names
   refer to, in the names' order, each followed by the instances held in its
   attributes; then the items of the lists and tuples (last first) and the
   values of the dicts the names refer to; then the same for the attributes
   of the classes the names refer to. The rest are finalized as they are
   freed by the teardown. */
void finalize_namespace(Object *dict);

/* Release the set's memory (teardown, after everything is freed). */
void finalize_fini(void);

#endif
