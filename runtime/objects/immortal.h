/* immortal.h - making objects immortal: gc.freeze(immortal=True), Toy's own
 * extension, and sys._is_immortal().
 *
 * An immortal object's count is IMMORTAL_REFCNT (core/refcount.h): so large
 * that no sequence of DECREFs brings it to zero, so it is never freed. The
 * static objects (None, True, False, small ints, built-in types) start
 * immortal; immortal_freeze makes the objects of the permanent generation
 * (gc.freeze) immortal too, with everything they refer to, so that none of
 * them is ever freed before exit either.
 *
 * In the default build INCREF/DECREF still write an immortal object's count
 * (they only never reach zero); a build with -DTOY_REFCOUNT_SKIP_IMMORTAL
 * (make toy-immortal) never writes it, which is what keeps pages shared with
 * a forked parent (docs/internals.md, "Freezing for fork").
 */
#ifndef TOY_IMMORTAL_H
#define TOY_IMMORTAL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/object.h"
#include "core/refcount.h"

static inline bool object_is_immortal(Object *o) { return (REFCNT(o) & IMMORTAL_REFCNT) != 0; }

/* Make every object of the permanent generation immortal, and everything
   reachable from them through the collector's traverse slots. 0, or -1
   with MemoryError set (the objects done so far stay immortal). */
int immortal_freeze(void);

/* How many heap objects immortal_freeze made immortal (never freed, so
   --stats counts them apart from leaks). */
int64_t immortal_count(void);

#endif
