/* refcount.h - reference counting, and the ownership rules every module follows.
 *
 * Every heap object starts with an Object header holding `refcnt`. It counts
 * the references that exist to the object; when it drops to zero the object's
 * type deallocates it.
 *
 * Ownership rules (read these before writing any C in Toy):
 *   1. A function that returns an Object * returns a NEW reference: the caller
 *      owns it and must DECREF it (or hand it on). Exceptions say so in their
 *      name or comment: "borrowed" (e.g. tuple_item, list_item, dict_get_item).
 *   2. Arguments are BORROWED: the callee must INCREF anything it keeps.
 *      Functions that take over the caller's reference say "steals" in their
 *      comment (e.g. list_append_steal, tuple_set_steal).
 *   3. NULL as a return value means an exception is set in the thread state
 *      (see error.h). XDECREF / XINCREF accept NULL.
 *   4. Immortal objects (None, True, False, NotImplemented, Ellipsis, small
 *      ints, built-in types) are static; their counts start at IMMORTAL_REFCNT
 *      so they never reach zero. They are never freed.
 *
 * These macros are the only code that touches refcnt. Under the GIL, and in
 * --no-gil mode, they are plain non-atomic increments: with the lock off they
 * race, which is exactly what the --no-gil lesson shows. Planned modes
 * (atomic, biased, skip-immortal) change this header alone.
 */
#ifndef TOY_REFCOUNT_H
#define TOY_REFCOUNT_H

#include "core/object.h"

#define IMMORTAL_REFCNT ((intptr_t)1 << 60)

void object_dealloc(Object *o); /* object.c: calls o->type->dealloc; checks for races */

/* Always inlined: in a function as large as the eval loop the compiler may
   otherwise call them out of line, which costs a call on every count. */
#define REFCOUNT_INLINE static inline __attribute__((always_inline))

#ifndef TOY_REFCOUNT_SKIP_IMMORTAL

REFCOUNT_INLINE void incref_(Object *o) { o->refcnt++; }

REFCOUNT_INLINE void decref_(Object *o) {
    if (--o->refcnt == 0) object_dealloc(o);
}

#else
/* An experiment, off by default (make CFLAGS='-O2 -DTOY_REFCOUNT_SKIP_IMMORTAL'):
   never write an immortal object's count, as CPython 3.12 does. Without the
   GIL, every core writing the counts of None, True, False and the small ints
   makes those cache lines bounce between cores, and CPU-bound threads barely
   speed up; skipping the write removes that. It costs a test and a branch on
   every INCREF/DECREF: measured 3-12% slower single-threaded on most of
   scripts/bench/, over the 2% budget, hence not the default
   (docs/internals.md has the numbers). */
REFCOUNT_INLINE void incref_(Object *o) {
    if (__builtin_expect(!(o->refcnt & IMMORTAL_REFCNT), 1)) o->refcnt++;
}

REFCOUNT_INLINE void decref_(Object *o) {
    if (__builtin_expect((o->refcnt & IMMORTAL_REFCNT) != 0, 0)) return;
    if (--o->refcnt == 0) object_dealloc(o);
}

#endif

REFCOUNT_INLINE Object *newref_(Object *o) { incref_(o); return o; }

/* The macros cast, so they take any object pointer (ListObject *, ...). */
#define INCREF(o)  incref_((Object *)(o))
#define DECREF(o)  decref_((Object *)(o))
#define XINCREF(o) do { Object *xo_ = (Object *)(o); if (xo_) incref_(xo_); } while (0)
#define XDECREF(o) do { Object *xo_ = (Object *)(o); if (xo_) decref_(xo_); } while (0)
/* A new reference to o, for `return NEWREF(x);`. */
#define NEWREF(o)  newref_((Object *)(o))

/* Replace *slot (owned) with value (stolen), releasing the old one last:
   the old value's destructor may run arbitrary code that reads *slot. */
static inline void SETREF(Object **slot, Object *value) {
    Object *old = *slot;
    *slot = value;
    XDECREF(old);
}

/* Release *slot and clear it. */
static inline void CLEAR(Object **slot) { SETREF(slot, NULL); }

#define REFCNT(o) (((Object *)(o))->refcnt)

#endif
