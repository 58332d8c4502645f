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
 * race, which is exactly what the --no-gil lesson shows. The other ways of
 * counting are other builds of the same sources, chosen here alone:
 * toy-atomic (TOY_ATOMIC_REFCOUNT: every update atomic, for comparison) and
 * toy-ft (TOY_FREE_THREADED: biased counts, core/biased.h).
 */
#ifndef TOY_REFCOUNT_H
#define TOY_REFCOUNT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/object.h"

#define IMMORTAL_REFCNT ((intptr_t)1 << 60)

void object_dealloc(Object *o); /* object.c: calls o->type->dealloc; checks for races */

/* Always inlined: in a function as large as the eval loop the compiler may
   otherwise call them out of line, which costs a call on every count. */
#define REFCOUNT_INLINE static inline __attribute__((always_inline))

#if defined(TOY_FREE_THREADED)
/* toy-ft: biased reference counting (core/biased.h). */
#include "core/biased.h"

REFCOUNT_INLINE void incref_(Object *o) { biased_incref(o); }
REFCOUNT_INLINE void decref_(Object *o) { biased_decref(o); }
REFCOUNT_INLINE bool drop_last_(Object *o) { return biased_drop_last(o); }
REFCOUNT_INLINE void drop_not_last_(Object *o) { biased_local_add(o, (uint32_t)-1); }
/* The dead object's owner is this thread and nobody else counted it. */
REFCOUNT_INLINE void reclaim_(Object *o) {
    atomic_store_explicit(&o->local, 1, memory_order_relaxed);
}

#elif defined(TOY_ATOMIC_REFCOUNT)
/* toy-atomic, for the comparison in make bench-ft only: every update an
   atomic read-modify-write (a `lock` prefix on x86), nothing else changed.
   Correct counts without the GIL; containers still race. */
REFCOUNT_INLINE void incref_(Object *o) {
    __atomic_fetch_add(&o->refcnt, 1, __ATOMIC_RELAXED);
}

REFCOUNT_INLINE void decref_(Object *o) {
    if (__atomic_sub_fetch(&o->refcnt, 1, __ATOMIC_ACQ_REL) == 0) object_dealloc(o);
}

REFCOUNT_INLINE bool drop_last_(Object *o) {
    return __atomic_sub_fetch(&o->refcnt, 1, __ATOMIC_ACQ_REL) == 0;
}

REFCOUNT_INLINE void drop_not_last_(Object *o) {
    __atomic_fetch_sub(&o->refcnt, 1, __ATOMIC_RELEASE);
}

REFCOUNT_INLINE void reclaim_(Object *o) { __atomic_store_n(&o->refcnt, 1, __ATOMIC_RELAXED); }

#elif !defined(TOY_REFCOUNT_SKIP_IMMORTAL)

REFCOUNT_INLINE void incref_(Object *o) { o->refcnt++; }

REFCOUNT_INLINE void decref_(Object *o) {
    if (--o->refcnt == 0) object_dealloc(o);
}

REFCOUNT_INLINE bool drop_last_(Object *o) { return --o->refcnt == 0; }

REFCOUNT_INLINE void drop_not_last_(Object *o) { o->refcnt--; }

REFCOUNT_INLINE void reclaim_(Object *o) { o->refcnt = 1; }

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

REFCOUNT_INLINE bool drop_last_(Object *o) {
    if (__builtin_expect((o->refcnt & IMMORTAL_REFCNT) != 0, 0)) return false;
    return --o->refcnt == 0;
}

REFCOUNT_INLINE void drop_not_last_(Object *o) { o->refcnt--; } /* 2: not immortal */

REFCOUNT_INLINE void reclaim_(Object *o) { o->refcnt = 1; }

#endif

REFCOUNT_INLINE Object *newref_(Object *o) { incref_(o); return o; }

/* The macros cast, so they take any object pointer (ListObject *, ...). */
#define INCREF(o)  incref_((Object *)(o))
#define DECREF(o)  decref_((Object *)(o))
#define XINCREF(o) do { Object *xo_ = (Object *)(o); if (xo_) incref_(xo_); } while (0)
#define XDECREF(o) do { Object *xo_ = (Object *)(o); if (xo_) decref_(xo_); } while (0)
/* A new reference to o, for `return NEWREF(x);`. */
#define NEWREF(o)  newref_((Object *)(o))

/* Drop a reference to o, as DECREF does, except that when it was the last
   one o is not freed: true, and o is dead, its memory the caller's, who
   either makes it live again with one reference (REFCOUNT_RECLAIM: a
   float's arithmetic reusing an operand for its result) or hands it to
   object_dealloc as DECREF would have. Only for objects of a type whose
   dealloc runs no code. One test where "is this the only reference?" and
   then DECREF were two (toy-ft's first is five loads and compares). */
#define REFCOUNT_DROP_LAST(o) drop_last_((Object *)(o))
#define REFCOUNT_RECLAIM(o) reclaim_((Object *)(o))
/* Drop one of the caller's references to o, where REFCNT_OWNED(o) has just
   said 2 and nothing has run since: the count cannot reach zero, so it is
   a decrement with no test (in toy-ft, of the owner's local count). */
#define REFCOUNT_DROP_NOT_LAST(o) drop_not_last_((Object *)(o))

/* References to objects known to be immortal (small ints, True, False,
   None): the GIL build counts them like any other object; toy-ft never
   writes an immortal's count, so there they cost nothing at all. Only for
   objects that are immortal in every build (refcount.h's rule 4). */
#ifdef TOY_FREE_THREADED
#define INCREF_IMMORTAL(o) ((void)(o))
#define DECREF_IMMORTAL(o) ((void)(o))
#define NEWREF_IMMORTAL(o) ((Object *)(o))
#else
#define INCREF_IMMORTAL(o) INCREF(o)
#define DECREF_IMMORTAL(o) DECREF(o)
#define NEWREF_IMMORTAL(o) NEWREF(o)
#endif

/* A reference at a site where the object is most often immortal: a
   constant, the None a call returned and its statement drops, the small
   int a loop counts with. toy-ft tests for immortality first there
   (biased_incref_item); the other builds count as INCREF and DECREF do. */
#ifdef TOY_FREE_THREADED
#define INCREF_LIKELY_IMMORTAL(o) biased_incref_item((Object *)(o))
#define DECREF_LIKELY_IMMORTAL(o) biased_decref_item((Object *)(o))
#else
#define INCREF_LIKELY_IMMORTAL(o) INCREF(o)
#define DECREF_LIKELY_IMMORTAL(o) DECREF(o)
#endif
#define XDECREF_LIKELY_IMMORTAL(o)                   \
    do {                                             \
        Object *xo_ = (Object *)(o);                 \
        if (xo_) DECREF_LIKELY_IMMORTAL(xo_);        \
    } while (0)

/* Replace *slot (owned) with value (stolen), releasing the old one last:
   the old value's destructor may run arbitrary code that reads *slot. */
static inline void SETREF(Object **slot, Object *value) {
    Object *old = *slot;
    *slot = value;
    XDECREF(old);
}

/* Release *slot and clear it. */
static inline void CLEAR(Object **slot) { SETREF(slot, NULL); }

/* ---- The few places that set a count by hand ------------------------------
 * In the GIL build these are the plain stores they always were; toy-ft maps
 * them onto the biased count. */
#ifndef TOY_FREE_THREADED

#define REFCNT(o) (((Object *)(o))->refcnt)
/* Does the caller hold exactly n references to o, and nobody else any? The
   tests behind in-place reuse (an int result written into its operand, a
   str grown in place, an iterator's result tuple recycled). */
#define REFCNT_IS(o, n) (REFCNT(o) == (n))
/* REFCNT_IS(o, 1), ordered after other threads' use of o (toy-ft). */
#define REFCNT_IS_ONLY(o) REFCNT_IS(o, 1)
/* The count when REFCNT_IS could be true for it, read once (0 otherwise in
   toy-ft; the plain count here). */
#define REFCNT_OWNED(o) REFCNT(o)

/* object_alloc: a new object holds one reference. */
static inline void refcount_init_new(Object *o) { o->refcnt = 1; }
/* A new reference unless o is being freed (its count reached zero and its
   dealloc is clearing its weak references): for the weak-reference table,
   on objects marked by refcount_mark_weakly (or refcount_mark_shared). */
static inline bool refcount_try_incref(Object *o) {
    if (o->refcnt == 0) return false;
    o->refcnt++;
    return true;
}
/* The weak-reference table may find o without holding a reference (a
   referent, or a weak reference itself): the caller holds one now. Only
   toy-ft does something with it (core/biased.h). */
static inline void refcount_mark_weakly(Object *o) { (void)o; }
/* Never freed from now on (static types, singletons). */
static inline void refcount_make_immortal(Object *o) { o->refcnt = IMMORTAL_REFCNT; }
/* Created to be shared by every thread (functions, code, modules, classes,
   their dicts): only toy-ft does something with it (core/biased.h). */
static inline void refcount_mark_shared(Object *o) { (void)o; }
/* Make an object that other threads may already hold immortal (interned
   strings): toy-ft only; the GIL build keeps counting it. */
static inline void refcount_immortalize(Object *o) { (void)o; }
static inline void refcount_immortalize_leaf(Object *o) { (void)o; }
/* A dealloc that runs code (__del__, a generator's finally) makes its object
   alive again meanwhile: count 1. Returns what to put back. */
static inline intptr_t refcount_revive(Object *o) {
    intptr_t saved = o->refcnt;
    o->refcnt = 1;
    return saved;
}
/* Drop the revival's reference: true if the object is referenced again
   (resurrected); otherwise the count is put back as it was. */
static inline bool refcount_unrevive(Object *o, intptr_t saved) {
    if (--o->refcnt != 0) return true;
    o->refcnt = saved;
    return false;
}
/* Put back the count revive saved, whatever happened meanwhile. */
static inline void refcount_restore(Object *o, intptr_t saved) { o->refcnt = saved; }
/* The trashcan (list.c) links dead objects through their count field. */
static inline void refcount_link_set(Object *o, Object *next) { o->refcnt = (intptr_t)next; }
static inline Object *refcount_link_take(Object *o) {
    Object *next = (Object *)o->refcnt;
    o->refcnt = 0;
    return next;
}
/* object_free, when the hook OBJHOOK_KEEP_AT_EXIT is on: true when the
   block (size bytes at block, which holds o and any prefix before it) must
   not be released yet (toy-ft only). */
static inline bool refcount_keep_block(Object *o, void *block, size_t size) {
    (void)o; (void)block; (void)size;
    return false;
}

/* Thread and process events the counting scheme hears of (toy-ft only):
   a thread starts / ends running Toy code; it returns from / enters a
   blocking call (refcount_thread_attached); the eval breaker fired; the
   forking thread continues in a child; the teardown is over. */
static inline void refcount_thread_attach(void) {}
static inline void refcount_thread_detach(void) {}
static inline void refcount_thread_attached(bool attached) { (void)attached; }
static inline void refcount_at_breaker(void) {}
static inline void refcount_before_fork(void) {}
static inline void refcount_after_fork_parent(void) {}
static inline void refcount_after_fork_child(void) {}
static inline void refcount_release_immortals(void) {}
/* --stats: objects made immortal at run time (toy-ft only; 0 here). */
static inline uint64_t refcount_immortalized(void) { return 0; }

#else

#define REFCNT(o) biased_count((Object *)(o))
/* Only an object this thread owns can qualify: another thread's count is
   not ours to read exactly, and false only costs the reuse. */
#define REFCNT_IS(o, n) biased_owned_count_is((Object *)(o), (n))
/* REFCNT_IS(o, 1), and everything other threads did to o before they let
   it go happens before what the caller does next (biased_only_reference). */
#define REFCNT_IS_ONLY(o) biased_only_reference((Object *)(o))
#define REFCNT_OWNED(o) biased_owned_count((Object *)(o))

REFCOUNT_INLINE void refcount_init_new(Object *o) { biased_object_init(o); }
static inline bool refcount_try_incref(Object *o) { return biased_try_incref(o); }
static inline void refcount_mark_weakly(Object *o) { biased_mark_weakly(o); }
static inline void refcount_make_immortal(Object *o) {
    atomic_store_explicit(&o->owner, BIASED_OWNER_IMMORTAL, memory_order_relaxed);
    atomic_store_explicit(&o->local, BIASED_LOCAL_IMMORTAL, memory_order_relaxed);
}
static inline void refcount_mark_shared(Object *o) { biased_mark_shared(o); }
/* The type mark (core/biased.h): one bit of the header that o's type may
   set, once, before o is published; int marks its big ints with it. */
static inline void refcount_set_type_mark(Object *o) { biased_set_type_mark(o); }
static inline __attribute__((always_inline)) bool refcount_type_marked(Object *o) {
    return biased_type_marked(o);
}
static inline __attribute__((always_inline)) bool refcount_type_marked2(Object *a, Object *b) {
    return biased_type_marked2(a, b);
}
static inline void refcount_immortalize(Object *o) { biased_make_immortal(o); }
/* The same for an object that holds no reference (an interned str), which
   the exit frees after every other: core/biased.h. */
static inline void refcount_immortalize_leaf(Object *o) { biased_make_immortal_leaf(o); }
/* Is o immortal (static, or made so)? It stays so: its memory is never
   freed before exit. */
static inline bool refcount_is_immortal(Object *o) {
    return atomic_load_explicit(&o->owner, memory_order_relaxed) == BIASED_OWNER_IMMORTAL;
}
/* Was o marked by refcount_mark_shared? */
static inline bool refcount_is_shared_by_design(Object *o) {
    return atomic_load_explicit(&o->shared, memory_order_relaxed) & BIASED_SHARED_BY_DESIGN;
}
static inline intptr_t refcount_revive(Object *o) { biased_revive(o); return 0; }
static inline bool refcount_unrevive(Object *o, intptr_t saved) {
    (void)saved;
    return biased_unrevive(o);
}
static inline void refcount_restore(Object *o, intptr_t saved) {
    (void)saved;
    atomic_store_explicit(&o->local, 0, memory_order_relaxed);
}
static inline void refcount_link_set(Object *o, Object *next) {
    atomic_store_explicit(&o->shared, (intptr_t)next, memory_order_relaxed);
}
static inline Object *refcount_link_take(Object *o) {
    Object *next = (Object *)atomic_load_explicit(&o->shared, memory_order_relaxed);
    atomic_store_explicit(&o->shared, 0, memory_order_relaxed);
    return next;
}
static inline bool refcount_keep_block(Object *o, void *block, size_t size) {
    return biased_keep_block_at_exit(o, block, size);
}

static inline void refcount_thread_attach(void) { biased_thread_attach(); }
static inline void refcount_thread_detach(void) { biased_thread_detach(); }
static inline void refcount_thread_attached(bool attached) { biased_thread_attached(attached); }
static inline void refcount_at_breaker(void) { biased_merge_pending(); }
static inline void refcount_before_fork(void) { biased_before_fork(); }
static inline void refcount_after_fork_parent(void) { biased_after_fork_parent(); }
static inline void refcount_after_fork_child(void) { biased_after_fork_child(); }
static inline void refcount_release_immortals(void) { biased_release_immortals(); }
static inline uint64_t refcount_immortalized(void) { return biased_immortalized(); }

#endif

/* A list's items copied in bulk (a slice taken, a slice assigned). The
   items of one list are most often alike: all small ints, None or
   interned strs (immortal), or all objects the program made. toy-ft looks
   at the first and, when it is immortal, tests each item for immortality
   first (biased_incref_item: an immortal then costs one load and compare
   where the owner-first order costs two); otherwise, and in the other
   builds, each is INCREF'd as usual. (The releases of a teardown are left
   as they were: the same choice made there cost more than it saved, the
   profile-guided build unrolling the loop for lists of a few items.) */
#ifdef TOY_FREE_THREADED
/* dst[i] = a new reference to src[i * step], for i in [0, n); none NULL. */
REFCOUNT_INLINE void refcount_copy_items(Object **dst, Object *const *src, size_t n,
                                         ptrdiff_t step) {
    if (n == 0) return;
    if (refcount_is_immortal(src[0])) {
        for (size_t i = 0; i < n; i++, src += step) {
            biased_incref_item(*src);
            dst[i] = *src;
        }
    } else {
        for (size_t i = 0; i < n; i++, src += step) {
            INCREF(*src);
            dst[i] = *src;
        }
    }
}
#else
REFCOUNT_INLINE void refcount_copy_items(Object **dst, Object *const *src, size_t n,
                                         ptrdiff_t step) {
    for (size_t i = 0; i < n; i++, src += step) {
        INCREF(*src);
        dst[i] = *src;
    }
}
#endif

#endif
