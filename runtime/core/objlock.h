/* objlock.h - per-object locks for the mutable containers, in the
 * free-threaded build (toy-ft). In the GIL build every function here is an
 * empty inline: the lock is the GIL.
 *
 * Which lock: a table of OBJLOCK_STRIPES recursive spin locks, the object's
 * address choosing one ("striped" locks). Objects keep their size (a list
 * stays as small as in the GIL build); two containers that share a stripe
 * merely serialise. A stripe is recursive, so an operation that reaches
 * another container on the same stripe (or its own, through user code)
 * does not deadlock on itself.
 *
 * The rule for callers: lock around every read or write of a container's
 * item storage, take a new reference to anything read before unlocking,
 * and release references (DECREF) after unlocking where the container was
 * changed, since a release may run __del__. Never take a second
 * container's stripe while holding one, except both at once in address
 * order (objlock_lock2): two threads taking two stripes the other way
 * round deadlock, and with striped locks any two containers may share a
 * stripe, so comparing two dicts under a list's lock is enough. So the
 * walks that compare under a list's lock (list.remove, heapq, bisect.insort)
 * compare there only what compares plainly (ints, floats, strs, tuples of
 * them: no code, no lock) and let the lock go for anything else
 * (list_compare_held, objects/list.h); list.sort sorts with the items
 * taken out of the list; a dict or set lookup lets its stripe go around a
 * key's __eq__ (objlock_suspend, below) unless the thread holds it twice
 * or holds a pair, and a set merge lets both sets' go around such an
 * insertion.
 * What still runs Toy code under a stripe: StringIO and BytesIO, locked
 * for a whole call (a writelines generator, an argument's __index__);
 * code there that waits for another thread that wants the stripe can
 * deadlock (docs/internals.md lists it).
 *
 * Biased to the one thread, while there is one. Until a second thread that
 * runs Toy code is started, only the main thread takes stripes, so nobody
 * can race for one: it takes a free stripe with a plain store of its
 * marker (objlock_alone) instead of the locked compare-and-swap, which
 * costs tens of cycles. This is the JVM's biased locking done once for the
 * whole process: the lock belongs to the first thread until a second one
 * appears, and then every stripe goes back to compare-and-swap for good
 * (ts_note_thread_start ends it, before pthread_create). Why that is safe:
 *   - The hold is taken, never skipped. Toy code can run while a stripe is
 *     held (a StringIO's writelines generator) and start a thread there;
 *     the stripe must then read as held by the main thread, so that the
 *     new thread waits for the call to end, and the call's unlock must
 *     give back a hold that was really taken (an unlock of a stripe never
 *     taken would release the new thread's). A lookup that lets its
 *     stripe go around __eq__ gives back a hold it took.
 *   - The stores are seen in time: the main thread makes them before its
 *     pthread_create, which orders everything before it ahead of anything
 *     the new thread does; the new thread's compare-and-swap finds the
 *     marker and waits. The unlock is the same store-release either way.
 *   - Nothing is borrowed while one thread runs (a collection that stops
 *     the world has no one to stop), so `lent` stays 0.
 *   - A child forked while the parent was alone is alone too (the forking
 *     thread's marker is at the same address in it); a child forked once
 *     threads ran keeps the compare-and-swap, and objlock_after_fork_child
 *     frees the stripes the lost threads held.
 * Code may also leave a lock out altogether while ts_single_threaded(),
 * but only around work that runs no Toy code (a list's item read), and
 * asking at each use: never across code that may start a thread.
 */
#ifndef TOY_OBJLOCK_H
#define TOY_OBJLOCK_H

#include <stdbool.h>

#ifdef TOY_FREE_THREADED

#include <stdatomic.h>
#include <stdint.h>

#define OBJLOCK_STRIPES 1024

/* A stripe: a recursive spin lock on its own cache line. holder: the
   holding thread's marker (the address of a thread-local byte), 0 when
   free; depth: how many times more than once the holder has taken it
   (0 when free and when held once), written by the holder only, or by a
   collector that borrows it; lent: how many of those holds are such a
   collector's (objlock.c), 0 but during a collection. So the common case,
   one hold, is one compare-and-swap to take and one test and one store to
   give back. */
typedef struct {
    _Atomic uintptr_t holder;
    unsigned depth;
    _Atomic unsigned lent;
    char pad[64 - sizeof(uintptr_t) - 2 * sizeof(unsigned)];
} ObjlockStripe;

extern ObjlockStripe objlock_stripes[OBJLOCK_STRIPES];
extern _Thread_local char objlock_self __attribute__((tls_model("local-exec")));
/* How many holds of two or three stripes at once (objlock_lock2,
   objlock_lock3) the thread has open: objlock_suspend asks it. Counted in
   those calls only, so that the one-stripe paths stay as they were. */
extern _Thread_local unsigned objlock_pairs __attribute__((tls_model("local-exec")));
/* At start-up: map in the stripe table's pages at once. Objects all over
   memory lock stripes all over the table from the first lines of a
   program, and each page's first lock was two page faults (a read, then
   a write) where one system call maps in all 16. */
void objlock_map_in(void);
/* Wait for a stripe another thread holds (objlock.c). */
void objlock_lock_slow(ObjlockStripe *s);
/* Give back a hold of s beyond the first: the holder's, or a borrowed one
   (objlock.c). */
void objlock_unlock_nested(ObjlockStripe *s);
/* Does the calling thread hold a stripe that the thread stopping the world
   has borrowed and not yet given back? Such a thread must not run
   (core/gil_world.c keeps it waiting). */
bool objlock_lent_by_self(void);

/* Address bits 4-13, exclusive-or'ed with bits 14-23, choose the stripe:
   objects are at least 24 bytes and 8-byte aligned (core/pool.h), so
   neighbours differ in bits 4-13, their offset within a 16 KiB pool, and
   bits 14-23 number the pool. The pool's number is mixed in because
   threads doing the same work allocate in step, each from its own pools:
   by the offset alone, their dicts sat at the same offsets and shared a
   stripe at every operation (four threads each building dicts ran 2.7x
   slower than one thread doing all their work). Masked in place and
   scaled to the 64-byte stripes, that is a shift, an exclusive or, an
   and, a shift and an add. */
static inline ObjlockStripe *objlock_stripe(const void *o) {
    _Static_assert(sizeof(ObjlockStripe) == 16 << 2, "a stripe is 64 bytes");
    _Static_assert(OBJLOCK_STRIPES == 1 << 10, "bits 4-13 and 14-23");
    uintptr_t a = (uintptr_t)o;
    uintptr_t offset = ((a ^ (a >> 10)) & ((uintptr_t)(OBJLOCK_STRIPES - 1) << 4)) << 2;
    return (ObjlockStripe *)((char *)objlock_stripes + offset);
}

/* The marker of the one thread that runs Toy code, from its start-up
   (objlock_alone_begin) until a second thread is about to start
   (objlock_alone_end, called by ts_note_thread_start before
   pthread_create); 0 before and after. */
extern _Atomic uintptr_t objlock_alone;
static inline void objlock_alone_begin(void) {
    atomic_store_explicit(&objlock_alone, (uintptr_t)&objlock_self, memory_order_relaxed);
}
static inline void objlock_alone_end(void) {
    atomic_store_explicit(&objlock_alone, 0, memory_order_relaxed);
}

/* Taking a stripe. While one thread is alone, nobody can race for the
   stripe: a free one is taken by a plain store of the thread's marker, one
   it holds already by depth + 1, and the locked compare-and-swap (tens of
   cycles) is left for when threads run. The hold is taken all the same,
   never skipped (see the opening comment). A holder that is neither free
   nor the thread cannot be seen while it is alone; the slow path would
   deal with it anyway. */
static inline void objlock_stripe_lock(ObjlockStripe *s) {
    uintptr_t alone = atomic_load_explicit(&objlock_alone, memory_order_relaxed);
    if (__builtin_expect(alone != 0, 1)) {
        uintptr_t holder = atomic_load_explicit(&s->holder, memory_order_relaxed);
        if (__builtin_expect(holder == 0, 1)) {
            atomic_store_explicit(&s->holder, alone, memory_order_relaxed);
            return;
        }
        if (holder == alone) {
            s->depth++;
            return;
        }
    }
    uintptr_t me = (uintptr_t)&objlock_self, expected = 0;
    if (__builtin_expect(atomic_compare_exchange_strong_explicit(
                             &s->holder, &expected, me, memory_order_acquire,
                             memory_order_relaxed), 1))
        return;
    if (expected == me)
        s->depth++;
    else
        objlock_lock_slow(s);
}

static inline void objlock_stripe_unlock(ObjlockStripe *s) {
    if (__builtin_expect(s->depth == 0, 1))
        atomic_store_explicit(&s->holder, 0, memory_order_release);
    else
        objlock_unlock_nested(s);
}

static inline void objlock_lock(const void *o) { objlock_stripe_lock(objlock_stripe(o)); }
static inline void objlock_unlock(const void *o) { objlock_stripe_unlock(objlock_stripe(o)); }

/* Around Toy code run in the middle of an operation that holds o's stripe
   (a key's __eq__ during a dict or set lookup): when that hold is the
   thread's only one, give it back for the code's run and take it again
   after (objlock_resume), as CPython 3.13t suspends its critical sections
   when a thread blocks. Under the GIL the code may wait for other threads
   (the GIL goes to them meanwhile); held, the stripe would stop every
   thread that wants any object on it, the one waited for included, and
   neither would go on. The caller must expect the container to change in
   between (the lookups already do: the code may change it itself, and
   they start over when its table moved). The stripe stays held when it is
   held more than once (nested, or borrowed by a collector: depth above 0)
   or while the thread holds a pair or three (objlock_pairs): giving back
   the lower of two and taking it again while holding the higher would
   take them out of address order, and deadlock against objlock_lock2.
   Another single hold, taken before this one, is left as it is: taking
   this one again under it is the order it was first taken in. Returns
   whether the stripe was given back. */
static inline bool objlock_suspend(const void *o) {
    ObjlockStripe *s = objlock_stripe(o);
    if (objlock_pairs != 0 || s->depth != 0 ||
        atomic_load_explicit(&s->holder, memory_order_relaxed) != (uintptr_t)&objlock_self)
        return false;
    objlock_stripe_unlock(s);
    return true;
}
static inline void objlock_resume(const void *o, bool suspended) {
    if (suspended) objlock_stripe_lock(objlock_stripe(o));
}

/* A hold around work that runs no Toy code: no comparison, hash, key
   function or release that may run __del__, only loads, stores and memory
   (a list's item read, an append). While the thread is alone it is left
   out altogether (objlock_nocode_skips), and the unlock asks again: the
   answer cannot have changed in between, since only this thread could
   start another, and starting one takes Toy code. Anything that may run
   Toy code uses objlock_lock, whose hold stays taken (the opening
   comment).

   objlock_nocode_skips asks the question alone, for a hot path that asks
   once and then does its work with no lock at all (an append to a list
   with room: list_append_steal), where the pair asks twice and keeps the
   object in a saved register across the work; the same rule: only around
   work that runs no Toy code, asked at each use. Always true in the GIL
   build. The test is always inlined and a hold taken by a call
   (objlock_lock_called): left to itself, the profile-guided build made
   the pair calls, which cost a thread alone two calls per use. */
static inline __attribute__((always_inline)) bool objlock_nocode_skips(void) {
    return __builtin_expect(atomic_load_explicit(&objlock_alone, memory_order_relaxed) != 0, 1);
}
void objlock_lock_called(const void *o);
void objlock_unlock_called(const void *o);
static inline __attribute__((always_inline)) void objlock_lock_nocode(const void *o) {
    if (!objlock_nocode_skips()) objlock_lock_called(o);
}
static inline __attribute__((always_inline)) void objlock_unlock_nocode(const void *o) {
    if (!objlock_nocode_skips()) objlock_unlock_called(o);
}
/* Two objects at once (list + list): stripes taken in a fixed order. */
void objlock_lock2(const void *a, const void *b);
void objlock_unlock2(const void *a, const void *b);
/* The pair around work that runs no Toy code, left out while the thread
   is alone: objlock_lock_nocode's rule. */
static inline __attribute__((always_inline)) void objlock_lock2_nocode(const void *a,
                                                                     const void *b) {
    if (!objlock_nocode_skips()) objlock_lock2(a, b);
}
static inline __attribute__((always_inline)) void objlock_unlock2_nocode(const void *a,
                                                                       const void *b) {
    if (!objlock_nocode_skips()) objlock_unlock2(a, b);
}
/* Three at once (a set operation's operands and its result), the same way. */
void objlock_lock3(const void *a, const void *b, const void *c);
void objlock_unlock3(const void *a, const void *b, const void *c);
/* In a forked child: every stripe unlocked (only one thread exists). */
void objlock_after_fork_child(void);

/* fn##_locked: the method fn (the MethodDef signature) run wholly under
   its object's lock, for the types whose every call locks (StringIO,
   BytesIO). Expanded where Object is known. */
#define OBJLOCK_METHOD(fn)                                                                \
    static Object *fn##_locked(Object *self, Object *const *args, size_t nargs,          \
                               Object *kwnames) {                                        \
        objlock_lock(self);                                                               \
        Object *r = fn(self, args, nargs, kwnames);                                       \
        objlock_unlock(self);                                                             \
        return r;                                                                         \
    }

#else

static inline void objlock_lock(const void *o) { (void)o; }
static inline void objlock_unlock(const void *o) { (void)o; }
static inline void objlock_lock_nocode(const void *o) { (void)o; }
static inline void objlock_unlock_nocode(const void *o) { (void)o; }
static inline bool objlock_nocode_skips(void) { return true; }
static inline bool objlock_suspend(const void *o) { (void)o; return false; }
static inline void objlock_resume(const void *o, bool suspended) { (void)o; (void)suspended; }
static inline void objlock_lock2(const void *a, const void *b) { (void)a; (void)b; }
static inline void objlock_unlock2(const void *a, const void *b) { (void)a; (void)b; }
static inline void objlock_lock2_nocode(const void *a, const void *b) { (void)a; (void)b; }
static inline void objlock_unlock2_nocode(const void *a, const void *b) { (void)a; (void)b; }
static inline void objlock_lock3(const void *a, const void *b, const void *c) {
    (void)a; (void)b; (void)c;
}
static inline void objlock_unlock3(const void *a, const void *b, const void *c) {
    (void)a; (void)b; (void)c;
}
static inline void objlock_after_fork_child(void) {}
static inline bool objlock_lent_by_self(void) { return false; }

#endif

#endif
