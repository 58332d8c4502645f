/* gchead.h - the cycle collector's head on container objects, and the
 * generation lists they are linked into.
 *
 * A type flagged TYPE_GC (object.h) gets a GCHead in front of each heap
 * instance: object_alloc allocates sizeof(GCHead) more bytes and returns the
 * address just after the head; object_free gives back the whole block. So
 *
 *     [ GCHead: next, prev, refs, flags ][ Object: refcnt, type ][ fields ]
 *     ^ the block                         ^ the object pointer everyone holds
 *
 * and GC_HEAD(o) is simply ((GCHead *)o - 1). Objects of other types (int,
 * float, str, bytes) have no head and cost exactly what they did.
 *
 * A tracked object is in exactly one circular, doubly linked list: one of
 * the three generations, the permanent generation (gc.freeze), or, during a
 * collection, one of the collector's private lists. prev == NULL means
 * untracked. Linking and unlinking are O(1), so the allocator can track
 * nearly every container at birth (a plain dict waits until it holds a
 * container, as CPython's) and untrack it at death.
 *
 * Counting follows CPython 3.11: generation 0's count is the number of
 * containers allocated (tracked or not) minus those freed since its last
 * collection;
 * when it passes its threshold (700) and the collector is enabled, the
 * allocating thread raises a collection request in the eval breaker
 * (GIL_BREAK_GC, core/gil.h). The collection itself runs later, at the next
 * breaker check of the eval loop (a backward jump or a call), where no
 * object is half-built: objects/gc.c.
 *
 * Thread-safety: everything here is protected by the GIL. With --no-gil
 * (gc_state.locking), link and unlink take gc_lock, since threads allocate
 * in parallel; automatic collection is then off (objects/gc.c). The
 * free-threaded build decides at compile time instead (GC_SPIN_LOCKS): every
 * link, unlink and count change takes gc_spin, a spin lock (one exchange,
 * one store) inline on the paths every container takes; the allocation
 * hooks stay clear, so allocation keeps its fast path.
 */
#ifndef TOY_GCHEAD_H
#define TOY_GCHEAD_H

#include <stdbool.h>
#include <stdint.h>

#include "core/object.h"

/* The free-threaded build collects while threads run by stopping the world
   (core/gil_world.c); --no-gil only when one thread is left (the counts it
   would read race). */
#ifdef TOY_FREE_THREADED
#define GC_STOPS_THE_WORLD 1
#else
#define GC_STOPS_THE_WORLD 0
#endif

#ifdef TOY_FREE_THREADED
#include <stdatomic.h>
#include "core/threadstate.h"
#define GC_SPIN_LOCKS 1
/* toy-ft's lock of the generation lists: one word, taken with an exchange
   and given back with a store. Unlike a container's stripe (core/objlock.h)
   a waiter never parks for a collection: it may be halfway through a
   birth or a death, with the object already (or still) in a list that the
   collector would then walk with the object's count at zero. A holder
   never blocks, so waiting always ends.
   While one thread runs (ts_single_threaded) nobody can race for the
   lists, and the lock is left out: the exchange is a locked instruction
   (tens of cycles), taken twice in every container's life. The unlock
   asks again, and gets the same answer: nothing under gc_spin runs Toy
   code, so no thread can start in between. */
extern _Atomic int gc_spin;
void gc_spin_wait(void);
static inline void gc_spin_lock(void) {
    if (__builtin_expect(ts_single_threaded(), 1)) return;
    if (__builtin_expect(atomic_exchange_explicit(&gc_spin, 1, memory_order_acquire), 0))
        gc_spin_wait();
}
static inline void gc_spin_unlock(void) {
    if (__builtin_expect(ts_single_threaded(), 1)) return;
    atomic_store_explicit(&gc_spin, 0, memory_order_release);
}
/* The same pair asking once, for a container's birth and death: the lock
   says whether it took gc_spin, the unlock gives back only what was
   taken. */
static inline bool gc_spin_lock_taken(void) {
    if (__builtin_expect(ts_single_threaded(), 1)) return false;
    if (__builtin_expect(atomic_exchange_explicit(&gc_spin, 1, memory_order_acquire), 0))
        gc_spin_wait();
    return true;
}
static inline void gc_spin_unlock_taken(bool taken) {
    if (__builtin_expect(taken, 0)) atomic_store_explicit(&gc_spin, 0, memory_order_release);
}
#else
#define GC_SPIN_LOCKS 0
static inline void gc_spin_lock(void) {}
static inline void gc_spin_unlock(void) {}
static inline bool gc_spin_lock_taken(void) { return false; }
static inline void gc_spin_unlock_taken(bool taken) { (void)taken; }
#endif

typedef struct GCHead {
    struct GCHead *next, *prev; /* prev NULL: not tracked */
    intptr_t refs;              /* during a collection: the references not yet explained */
    uintptr_t flags;            /* GC_* below */
} GCHead;
_Static_assert(sizeof(GCHead) == OBJECT_GC_HEAD_SIZE, "object.h: OBJECT_GC_HEAD_SIZE");

enum {
    GC_COLLECTING = 1,  /* in the set being collected now */
    GC_UNREACHABLE = 2, /* in the collector's tentatively-unreachable list */
    GC_NEVER_TRACK = 4, /* untracked, and gc_track leaves it so (gc_never_track) */
    GC_DEATH_COUNTED = 8, /* toy-ft: gc_untrack_dying has uncounted it (gc_death need not) */
    GC_TRACKED = 16,    /* toy-ft: gc_track linked it; every untrack clears it (gc_tracked_already) */
};

#define GC_HEAD(o) ((GCHead *)(o) - 1)
#define GC_OBJECT(h) ((Object *)((GCHead *)(h) + 1))

#define GC_NGENERATIONS 3

typedef struct {
    GCHead head;   /* list head (a sentinel, never an object) */
    int threshold;
    int count;     /* gen 0: allocations - deallocations; older: collections of the younger */
} GCGeneration;

typedef struct {
    GCGeneration gens[GC_NGENERATIONS];
    GCHead permanent;           /* gc.freeze(): never collected */
    bool enabled;               /* gc.enable() / gc.disable() */
    bool collecting;            /* a collection is running */
    bool locking;               /* --no-gil: link/unlink under gc_lock */
    int64_t long_lived_total;   /* objects in generation 2 after its last collection */
    int64_t long_lived_pending; /* objects moved to generation 2 since */
} GCState;

extern GCState gc_state;

/* Start-up: empty lists, CPython's thresholds, enabled. locking: the GIL is off. */
void gc_head_init(bool locking);

/* List primitives (no counting). */
static inline void gc_list_init(GCHead *list) { list->next = list->prev = list; }
static inline bool gc_list_empty(const GCHead *list) { return list->next == list; }
static inline void gc_list_remove(GCHead *h) {
    h->prev->next = h->next;
    h->next->prev = h->prev;
    h->next = h->prev = NULL;
}
static inline void gc_list_append(GCHead *h, GCHead *list) {
    h->prev = list->prev;
    h->next = list;
    list->prev->next = h;
    list->prev = h;
}
static inline void gc_list_move(GCHead *h, GCHead *list) {
    h->prev->next = h->next;
    h->next->prev = h->prev;
    gc_list_append(h, list);
}
/* Append every object of from to to; from is left empty. */
void gc_list_merge(GCHead *from, GCHead *to);
size_t gc_list_size(const GCHead *list);

static inline bool gc_is_tracked(Object *o) { return GC_HEAD(o)->prev != NULL; }

/* The slow paths of the inline functions below: --no-gil (under the
   lock), and generation 0 past its threshold. */
void gc_untrack_locked(Object *o, bool freed);
void gc_threshold_passed(void);

/* object_alloc: a new container counts toward generation 0's threshold
   and, if track, enters generation 0; else it starts untracked (prev NULL).
   locking: --no-gil (object_hooks, core/objhooks.h, says so; callers pass
   a constant 0 on their fast path, so that the test disappears; toy-ft
   takes gc_spin here instead). Inline: every list, dict, tuple and
   instance comes here. */
void gc_birth_locked(Object *o, bool track);
static inline __attribute__((always_inline)) void gc_birth(Object *o, bool track, bool locking) {
    if (locking) {
        gc_birth_locked(o, track);
        return;
    }
    GCHead *h = GC_HEAD(o);
    h->refs = 0;
    h->flags = 0;
    GCGeneration *g0 = &gc_state.gens[0];
    if (!track) h->next = h->prev = NULL;
    bool taken = gc_spin_lock_taken();
    if (track) gc_list_append(h, &g0->head);
    if (++g0->count > g0->threshold) gc_threshold_passed();
    gc_spin_unlock_taken(taken);
}

/* Untrack an object (no counting); nothing if it is not tracked. */
static inline void gc_untrack(Object *o) {
    /* With threads really at once (toy-ft, --no-gil), prev is read only
       under the lock: a neighbour's unlink rewrites it. */
    if (!GC_SPIN_LOCKS && gc_state.locking) {
        gc_untrack_locked(o, false);
        return;
    }
    GCHead *h = GC_HEAD(o);
    gc_spin_lock();
    if (h->prev) {
        gc_list_remove(h);
        h->flags = 0;
    }
    gc_spin_unlock();
}

/* object_dealloc: a container about to be deallocated leaves its list. In
   toy-ft it is also uncounted there, under the same hold of gc_spin, and
   flagged GC_DEATH_COUNTED, so that gc_death (object_free) takes no lock
   again; if the dealloc revives it instead, gc_track counts it back. The
   flag is read without the lock: no other thread holds a reference to a
   dying object, so none writes its head (the collector, which might, runs
   with the other threads stopped). */
static inline void gc_untrack_dying(Object *o) {
#if GC_SPIN_LOCKS
    GCHead *h = GC_HEAD(o);
    bool taken = gc_spin_lock_taken();
    if (h->prev) gc_list_remove(h);
    h->flags = GC_DEATH_COUNTED;
    if (gc_state.gens[0].count > 0) gc_state.gens[0].count--;
    gc_spin_unlock_taken(taken);
#else
    gc_untrack(o);
#endif
}

/* object_free: a dying container leaves its list (if still in one: object_dealloc
   has usually untracked it already) and uncounts. locking as for gc_birth. */
static inline __attribute__((always_inline)) void gc_death(Object *o, bool locking) {
    if (locking) {
        gc_untrack_locked(o, true);
        return;
    }
    GCHead *h = GC_HEAD(o);
    if (GC_SPIN_LOCKS && (h->flags & GC_DEATH_COUNTED)) return; /* unlinked and uncounted */
    bool taken = gc_spin_lock_taken();
    if (h->prev) gc_list_remove(h);
    if (gc_state.gens[0].count > 0) gc_state.gens[0].count--;
    gc_spin_unlock_taken(taken);
}

/* Track an object explicitly (no counting): a finalizer resurrected it,
   or a dict received a container. Nothing for a gc_never_track object. */
void gc_track(Object *o);

/* Untrack o for good: a static type's dict (objects/object.c, type_ready).
   Whatever it refers to is reachable from an immortal type, so never
   garbage, and an untracked container only makes the collector count the
   references it holds as coming from outside, which is the truth here.
   Saves traversing every built-in type's methods in each full collection. */
void gc_never_track(Object *o);

/* After fork() in the child: the lock may have been held by a thread that
   does not exist there. */
void gc_after_fork_child(void);

#endif
