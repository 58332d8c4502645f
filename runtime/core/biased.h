/* biased.h - biased reference counting, for the free-threaded build (toy-ft).
 *
 * Included by refcount.h only when TOY_FREE_THREADED is defined; the GIL
 * build never sees it. The design is PEP 703's (docs/internals.md, "The
 * free-threaded build", has the diagrams and the reasons):
 *
 *   - Every object records the id of the thread that created it (owner).
 *     The owner keeps its references in `local` with a plain load and store:
 *     no atomic instruction, no lock prefix. Every other thread counts its
 *     references in `shared` with an atomic add. The true count is
 *     local + shared.
 *   - When the owner's local count reaches zero it "merges": if no other
 *     thread ever counted the object (shared == 0) the object is freed at
 *     once; otherwise the owner gives the object up (owner = MERGED, flag
 *     MERGED in shared) and from then on every thread counts in shared, and
 *     the decrement that takes shared to zero frees it.
 *   - A decrement by another thread that would take an unmerged shared count
 *     below zero does not subtract: it marks the object QUEUED and hands its
 *     reference to the owner's merge queue. The owner merges the queued
 *     objects at its next eval-breaker check (or when it ends): local and
 *     shared are added, less the queue's reference, and the object freed if
 *     that is zero. If the owner has ended, the thread that would queue
 *     merges at once on its behalf (under the thread table's mutex, so no
 *     owner can appear or vanish meanwhile).
 *   - The weak reference table finds objects it holds no reference to (the
 *     referents, and the refs themselves), and takes one with
 *     biased_try_incref, which must never revive an object whose count
 *     has reached zero. Such objects are marked WEAKLY (in shared, for
 *     good) when the first weak reference to them is made; the owner's
 *     decrement to zero frees an object with shared == 0 at once, and
 *     sends any other (WEAKLY, shared by design, counted by another
 *     thread) to biased_local_zero, which settles the race with a
 *     compare-and-swap (BIASED_DEAD).
 *   - Immortal objects are never counted. Static ones (None, True, False,
 *     small ints, built-in types, one-character strings) have local ==
 *     BIASED_LOCAL_IMMORTAL, tested first. Objects made immortal at run time
 *     (interned strings, and the shared-by-design objects below) get owner
 *     == BIASED_OWNER_IMMORTAL; the fast path sends them to the slow path,
 *     which returns at once: one read of a cache line nobody writes.
 *   - Shared by design: functions, code objects, modules, classes, built-in
 *     functions and method descriptors, and the dicts of modules and
 *     classes, are marked when created (refcount_mark_shared). The first
 *     time a thread other than the owner takes a reference to one, it is
 *     made immortal, so that threads calling the same function never bounce
 *     its count between cores. Immortalised heap objects are recorded and
 *     freed at exit, after the teardown, so --stats still balances.
 */
#ifndef TOY_BIASED_H
#define TOY_BIASED_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/object.h"

#define BIASED_LOCAL_IMMORTAL UINT32_MAX   /* static objects */
#define BIASED_OWNER_IMMORTAL UINT32_MAX   /* static, and made immortal at run time */
#define BIASED_OWNER_MERGED (UINT32_MAX - 1) /* given up: every count is shared */
#define BIASED_TID_DETACHED (UINT32_MAX - 2) /* a thread that has ended: owns nothing */

/* shared = count << BIASED_SHIFT | flags */
#define BIASED_QUEUED 1           /* in its owner's merge queue */
#define BIASED_MERGED 2           /* owner gave it up */
#define BIASED_SHARED_BY_DESIGN 4 /* immortalise on the first cross-thread reference */
#define BIASED_DEAD 8             /* being freed by its owner: no new reference */
#define BIASED_WEAKLY 16          /* the weak reference table may hand it out */
#define BIASED_TYPE_MARK 32       /* its type's own mark: int's big ints */
#define BIASED_SHIFT 6
/* The marks an object keeps for good, which count no other thread's
   reference: "no other thread counts it" is shared & ~BIASED_MARKS == 0. */
#define BIASED_MARKS ((intptr_t)(BIASED_SHARED_BY_DESIGN | BIASED_WEAKLY | BIASED_TYPE_MARK))
#define BIASED_ONE ((intptr_t)1 << BIASED_SHIFT)

/* The calling thread's id: 0 before biased_thread_attach (such a thread owns
   nothing it creates: see biased_object_init). */
/* local-exec: toy-ft is one executable, so the id is one %fs-relative load. */
extern _Thread_local uint32_t biased_tid __attribute__((tls_model("local-exec")));

/* `owner` and `local` are adjacent 32-bit words (core/object.h), so an
   object's owner and its owner's count can be read as one 64-bit word:
   biased_head(owner, local) is that word's value. biased_tid_one is
   biased_head(biased_tid, 1), kept beside biased_tid: "this thread owns o
   and holds its only local reference", the test of every in-place reuse
   of an operand, is then one load and one compare with the thread's
   word, where the two words read apart take two loads, two compares and
   two branches. Under ThreadSanitizer the words are read apart with
   atomic loads, as biased_local_add explains. */
extern _Thread_local uint64_t biased_tid_one __attribute__((tls_model("local-exec")));

static inline __attribute__((always_inline)) uint64_t biased_head(uint32_t owner, uint32_t local) {
    return (uint64_t)owner | (uint64_t)local << 32;
}

/* Slow paths (biased.c): another thread's object, or a merged one. */
void biased_incref_shared(Object *o);
void biased_decref_shared(Object *o);
/* The owner's local count reached zero and another thread has counted the
   object too: merge (the common "nobody else ever counted it" case is
   inlined in biased_decref). */
void biased_local_zero(Object *o);
void object_dealloc(Object *o); /* object.c */

#define BIASED_RELAXED memory_order_relaxed

/* The owner's update of its own count: local += delta, returning the new
   value. Only the owner writes `local` (the one exception, a merge for an
   owner that has ended, is ordered after its last write by the table's
   mutex), so no read-modify-write is needed, and a relaxed load and store
   would do. But compilers do not fuse atomic accesses, so those cost a
   load, an add and a store; a plain update through a non-atomic view of
   the same 32 bits is one `add` to memory. Other threads only ever load
   the field (REFCNT of another thread's object reads it "as it stands"),
   and an aligned 32-bit store is never torn. Under ThreadSanitizer the
   relaxed atomics stay, so that the tool checks everything else without
   reporting that read. */
#if defined(__SANITIZE_THREAD__)
#define BIASED_LOCAL_ATOMIC 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define BIASED_LOCAL_ATOMIC 1
#endif
#endif

static inline __attribute__((always_inline)) uint32_t biased_local_add(Object *o, uint32_t delta) {
#ifdef BIASED_LOCAL_ATOMIC
    uint32_t l = atomic_load_explicit(&o->local, BIASED_RELAXED) + delta;
    atomic_store_explicit(&o->local, l, BIASED_RELAXED);
    return l;
#else
    _Static_assert(sizeof(o->local) == sizeof(uint32_t), "local: a plain 32-bit word");
    uint32_t *plain = (uint32_t *)&o->local;
    return *plain += delta;
#endif
}

/* The owner and local words as one plain 64-bit word (biased_head),
   where the build allows: not under ThreadSanitizer (biased_local_add),
   and owner the low half. The view is declared may_alias: the compiler
   must assume that it reads what the 32-bit stores wrote. */
#if !defined(BIASED_LOCAL_ATOMIC) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define BIASED_HEAD_PLAIN 1
typedef uint64_t __attribute__((may_alias)) BiasedHeadWord;
_Static_assert(offsetof(Object, owner) == 0 && offsetof(Object, local) == 4,
               "owner and local: one aligned 64-bit word, owner first");
#endif

/* o's owner and local words as one (biased_head), each as it stands. */
static inline __attribute__((always_inline)) uint64_t biased_head_read(Object *o) {
#ifdef BIASED_HEAD_PLAIN
    return *(const BiasedHeadWord *)o;
#else
    return biased_head(atomic_load_explicit(&o->owner, BIASED_RELAXED),
                       atomic_load_explicit(&o->local, BIASED_RELAXED));
#endif
}

/* The fast paths test the owner first: an object this thread owns (nearly
   every temporary) costs one load of `owner`, one compare with the
   thread's id and the plain update of `local`. Immortal objects have owner
   == BIASED_OWNER_IMMORTAL (static ones have local == BIASED_LOCAL_IMMORTAL
   as well), so they fail the owner test and return on the next compare,
   without writing anything; only another thread's objects and merged ones
   call out of line. Reading owner before local is safe: owner changes
   under the owner's feet only to IMMORTAL (biased_make_immortal, by
   compare-and-swap from another thread), after which local is never read
   again, so an update of local that races with it is harmless. */
static inline __attribute__((always_inline)) void biased_incref(Object *o) {
    uint32_t owner = atomic_load_explicit(&o->owner, BIASED_RELAXED);
    if (__builtin_expect(owner == biased_tid, 1)) {
        biased_local_add(o, 1);
    } else if (owner != BIASED_OWNER_IMMORTAL) {
        biased_incref_shared(o);
    }
}

/* The owner's decrement: at zero, an object no other thread ever
   counted, that no weak reference can hand out and that is not shared by
   design (shared == 0) is freed now; anything else is settled by
   biased_local_zero. */
static inline __attribute__((always_inline)) void biased_decref_owned(Object *o) {
    if (biased_local_add(o, (uint32_t)-1) == 0) {
        if (__builtin_expect(atomic_load_explicit(&o->shared, memory_order_acquire) == 0, 1))
            object_dealloc(o);
        else
            biased_local_zero(o);
    }
}

static inline __attribute__((always_inline)) void biased_decref(Object *o) {
    uint32_t owner = atomic_load_explicit(&o->owner, BIASED_RELAXED);
    if (__builtin_expect(owner == biased_tid, 1))
        biased_decref_owned(o);
    else if (owner != BIASED_OWNER_IMMORTAL)
        biased_decref_shared(o);
}

/* biased_incref and biased_decref with the immortal test first, where
   the object is most likely immortal (small ints, None, interned strs:
   refcount_copy_items, INCREF_LIKELY_IMMORTAL): an immortal then costs a
   load and a compare where the owner-first order costs two of each, and
   an object this thread owns one compare more. */
static inline __attribute__((always_inline)) void biased_incref_item(Object *o) {
    uint32_t owner = atomic_load_explicit(&o->owner, BIASED_RELAXED);
    if (owner == BIASED_OWNER_IMMORTAL) return;
    if (__builtin_expect(owner == biased_tid, 1))
        biased_local_add(o, 1);
    else
        biased_incref_shared(o);
}

static inline __attribute__((always_inline)) void biased_decref_item(Object *o) {
    uint32_t owner = atomic_load_explicit(&o->owner, BIASED_RELAXED);
    if (owner == BIASED_OWNER_IMMORTAL) return;
    if (__builtin_expect(owner == biased_tid, 1))
        biased_decref_owned(o);
    else
        biased_decref_shared(o);
}

/* biased_decref, except that the owner's last reference to an object no
   other thread counted does not free it: true then, and the dead object's
   memory is the caller's (refcount_drop_last). */
static inline __attribute__((always_inline)) bool biased_drop_last(Object *o) {
    uint32_t owner = atomic_load_explicit(&o->owner, BIASED_RELAXED);
    if (__builtin_expect(owner == biased_tid, 1)) {
        if (biased_local_add(o, (uint32_t)-1) != 0) return false;
        if (__builtin_expect(atomic_load_explicit(&o->shared, memory_order_acquire) == 0, 1))
            return true;
        biased_local_zero(o);
    } else if (owner != BIASED_OWNER_IMMORTAL) {
        biased_decref_shared(o);
    }
    return false;
}

/* A new object: owned by the calling thread, count 1. */
static inline __attribute__((always_inline)) void biased_object_init(Object *o) {
#ifdef BIASED_HEAD_PLAIN
    /* Plain stores: nobody else sees o yet, and the compiler may then
       leave out the shared word's where the object was just zeroed. */
    intptr_t zero = 0;
    *(BiasedHeadWord *)o = biased_tid_one;
    memcpy((void *)&o->shared, &zero, sizeof zero);
#else
    atomic_store_explicit(&o->owner, biased_tid, BIASED_RELAXED);
    atomic_store_explicit(&o->local, 1, BIASED_RELAXED);
    atomic_store_explicit(&o->shared, 0, BIASED_RELAXED);
#endif
}

/* The count, for sys.getrefcount and the "only reference" tests of in-place
   string concatenation: exact when the caller owns the object or it is
   merged; another owner's local part is read as it stands. */
static inline __attribute__((always_inline)) intptr_t biased_count(Object *o) {
    uint32_t l = atomic_load_explicit(&o->local, BIASED_RELAXED);
    if (l == BIASED_LOCAL_IMMORTAL ||
        atomic_load_explicit(&o->owner, BIASED_RELAXED) == BIASED_OWNER_IMMORTAL)
        return (intptr_t)1 << 60; /* IMMORTAL_REFCNT */
    return (intptr_t)l + (atomic_load_explicit(&o->shared, BIASED_RELAXED) >> BIASED_SHIFT);
}

/* A new reference to o unless it is already being freed (its count reached
   zero on another thread): for the weak-reference table, which finds
   objects it does not own a reference to. Only for objects marked by
   biased_mark_weakly (or shared by design): the owner marks such an
   object BIASED_DEAD with a compare-and-swap before freeing it, so that
   either this wins (the object lives on) or that does (this says false). */
bool biased_try_incref(Object *o);
/* Mark o as one the weak reference table may hand out (a referent, or a
   weak reference itself), for good. The caller holds a reference to o, so
   its count is not zero: if it is another thread's, shared counts that
   reference, and the owner's fast path cannot miss the mark. */
static inline void biased_mark_weakly(Object *o) {
    if (!(atomic_load_explicit(&o->shared, BIASED_RELAXED) & BIASED_WEAKLY))
        atomic_fetch_or_explicit(&o->shared, BIASED_WEAKLY, BIASED_RELAXED);
}

/* The tests behind in-place reuse (an int result written into its operand,
   a str grown in place) run on every arithmetic instruction, so they read
   local and shared through plain views, as biased_local_add writes local:
   each is then one compare with memory, where an atomic load is a load
   and a compare. The reads race only with another thread's atomic add to
   shared (an aligned 8-byte load is never torn), and a stale value only
   makes the test say no: another thread cannot give us back a count.
   Owner and local are not read as one 64-bit word, although that would
   save two more instructions: the word would be read just after the
   owner's 4-byte store to local (an INCREF of the operand), which the
   processor cannot forward to a wider load; the stall cost fib.toy 10% in
   wall time at the same instruction count. Under ThreadSanitizer the
   fields are read as atomics. */
static inline __attribute__((always_inline)) uint32_t biased_local_read(Object *o) {
#ifdef BIASED_LOCAL_ATOMIC
    return atomic_load_explicit(&o->local, BIASED_RELAXED);
#else
    uint32_t local;
    memcpy(&local, (const void *)&o->local, sizeof local);
    return local;
#endif
}

/* The shared word, read the same way. */
static inline __attribute__((always_inline)) intptr_t biased_shared_read(Object *o) {
#ifdef BIASED_LOCAL_ATOMIC
    return atomic_load_explicit(&o->shared, BIASED_RELAXED);
#else
    intptr_t shared;
    memcpy(&shared, (const void *)&o->shared, sizeof shared);
    return shared;
#endif
}

/* Has no other thread counted o (shared zero but for the marks)? */
static inline __attribute__((always_inline)) bool biased_shared_clean(Object *o) {
    return (biased_shared_read(o) & ~BIASED_MARKS) == 0;
}

/* True when this thread owns o, holds exactly n references to it and no
   other thread has counted it. Anything else is false, also when the true
   count is n: the callers only skip an optimisation then. The owner and
   `local` are compared at once (biased_head_read), with the thread's
   word biased_tid_one when n is 1: the usual "no" (an operand the stack
   and a local both hold, an immortal small int) and the "yes" cost one
   load, one compare and a branch before the shared word's test. Reading
   another thread's `local` is harmless: the word then differs from ours
   in its owner half whatever the count, and only the owner writes it. */
static inline __attribute__((always_inline)) bool biased_owned_count_is(Object *o, uint32_t n) {
    uint64_t want = __builtin_constant_p(n) && n == 1 ? biased_tid_one : biased_head(biased_tid, n);
    return biased_head_read(o) == want && biased_shared_clean(o);
}

/* biased_owned_count_is(o, 1), with the shared word read with acquire
   ordering: when it says yes after other threads have counted o, their
   last decrement (a release) happens before whatever the caller then
   reads or writes in o without atomics. FOR_ITER's inline range step
   (vm.c) relies on it: a range iterator another thread stepped and let go
   is then stepped with plain loads and stores, which must see that
   thread's last step. (On x86 the acquire load is a plain one: it only
   keeps the compiler from moving the loads that follow above it.) */
static inline __attribute__((always_inline)) bool biased_only_reference(Object *o) {
    return biased_head_read(o) == biased_tid_one &&
           (atomic_load_explicit(&o->shared, memory_order_acquire) & ~BIASED_MARKS) == 0;
}

/* The count when this thread owns o and no other thread has counted it
   (so the count is exact and all ours), else 0. Read with atomic loads:
   the plain views made no difference in instructions here, and gcc then
   laid out the eval loop so that fib.toy ran 3-7% slower in wall time. */
static inline __attribute__((always_inline)) uint32_t biased_owned_count(Object *o) {
    if (atomic_load_explicit(&o->owner, BIASED_RELAXED) != biased_tid ||
        (atomic_load_explicit(&o->shared, BIASED_RELAXED) & ~BIASED_MARKS) != 0)
        return 0;
    return atomic_load_explicit(&o->local, BIASED_RELAXED);
}

/* The type mark: one bit of the shared word that an object's type may
   use for good (int tells its big ints by it: objects/int.h). It is set
   once, before the object is published, and never cleared; every change
   of the shared word keeps it (it is one of BIASED_MARKS), so a plain
   read, racing only with other threads' atomic adds, always sees it as
   set. biased_shared_clean and the decrement to zero treat it as they do
   the other marks. */
static inline void biased_set_type_mark(Object *o) {
    intptr_t shared = atomic_load_explicit(&o->shared, BIASED_RELAXED);
    atomic_store_explicit(&o->shared, shared | BIASED_TYPE_MARK, BIASED_RELAXED);
}
/* Does a or b carry the type mark? (Both reads, one test.) */
static inline __attribute__((always_inline)) bool biased_type_marked2(Object *a, Object *b) {
    return ((biased_shared_read(a) | biased_shared_read(b)) & BIASED_TYPE_MARK) != 0;
}
static inline __attribute__((always_inline)) bool biased_type_marked(Object *o) {
    return (biased_shared_read(o) & BIASED_TYPE_MARK) != 0;
}

/* Make o immortal now (interned strings); recorded, freed at exit. */
void biased_make_immortal(Object *o);
/* The same for an object that holds no reference to another (an interned
   str): freed at exit after all the others, and without keeping its block
   for them (biased_release_immortals). */
void biased_make_immortal_leaf(Object *o);
/* Mark a freshly created object shared by design (before it is published:
   no other thread can reach it yet, so a load and a store do, where an
   atomic or would be a locked instruction). */
static inline void biased_mark_shared(Object *o) {
    intptr_t shared = atomic_load_explicit(&o->shared, BIASED_RELAXED);
    atomic_store_explicit(&o->shared, shared | BIASED_SHARED_BY_DESIGN, BIASED_RELAXED);
}

/* A dealloc that runs code (__del__, a generator's finally) revives its
   object meanwhile: count 1, owned by the caller. biased_unrevive drops that
   reference and says whether the object is referenced again (resurrected). */
void biased_revive(Object *o);
bool biased_unrevive(Object *o);

/* object_free, while biased_release_immortals runs (it sets the hook
   OBJHOOK_KEEP_AT_EXIT, core/objhooks.h, so that no other free asks): true
   when the block must be kept (an immortalised object being freed at exit:
   its memory, size bytes at block, goes back after all of them are done). */
bool biased_keep_block_at_exit(Object *o, void *block, size_t size);

/* ---- Threads --------------------------------------------------------------- */

/* A thread that will run Toy code: gets its id and an empty merge queue. */
void biased_thread_attach(void);
/* A thread that ends: merges its queue, leaves the table, owns nothing more. */
void biased_thread_detach(void);
/* The thread returns from (true) or enters (false) a blocking call
   (core/gil_world.c): a queue waiting for it raises the eval breaker only
   while it runs (biased.c). */
void biased_thread_attached(bool attached);
/* Merge the objects other threads queued for this one (the eval breaker). */
void biased_merge_pending(void);
/* At exit, after the teardown: free the objects made immortal at run time. */
void biased_release_immortals(void);
/* Around fork(): the table's and the immortals' locks are held across it,
   so that the child copies no thread entering or leaving the table and no
   queue half-grown. In the child the other threads are gone: their queues
   are merged. */
void biased_before_fork(void);
void biased_after_fork_parent(void);
void biased_after_fork_child(void);
/* --stats: objects made immortal at run time. */
uint64_t biased_immortalized(void);

#endif
