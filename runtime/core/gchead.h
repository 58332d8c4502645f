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
 * free-threaded build decides at compile time instead (GC_SPIN_LOCKS): once
 * threads run, every link, unlink and count change takes the lock of the
 * object's stripe (below), a spin lock of one exchange and one store; the
 * allocation hooks stay clear, so allocation keeps its fast path.
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
/* toy-ft's generation lists come in GC_STRIPES stripes, each with its own
   lists (generations 0-2 and the permanent one), its own share of
   generation 0's count, its own queue and its own lock, on cache lines of
   their own. A thread links what it allocates into its own stripe, which
   it owns (gc_stripe_mine) until it ends: it changes that stripe's lists
   with plain loads and stores, and other threads ask it to, through the
   stripe's queue (core/gcstripe.c has the protocol). So threads that
   allocate containers at once never write the same line, and none takes a
   lock: with one lock and one list for everything, four threads building
   lists ran 6-12x slower than one thread doing all their work (the line
   moved between the cores at every birth and death), and a spin lock per
   stripe still cost two locked instructions in every container's life. An
   object keeps its stripe for life (GCHead.stripe, written at birth and
   never again), so whichever thread frees it, or tracks or untracks it,
   knows whom to ask. A stripe whose thread has ended has no owner, and is
   changed under its lock by any thread, until a new thread takes it. The
   collector stops the world, carries out every request still queued
   (gc_lists_settle), gathers the stripes' lists into one
   (gc_lists_gather), then puts each survivor back in its own stripe
   (gc_lists_scatter).
   A stripe's lock is one word, taken with an exchange and given back with
   a store. Unlike a container's stripe (core/objlock.h) a waiter never
   parks for a collection: it may be halfway through a birth or a death,
   with the object already (or still) in a list that the collector would
   then walk with the object's count at zero. A holder never blocks, so
   waiting always ends.
   While one thread runs (ts_single_threaded) nobody can race for the
   lists: the first thread owns stripe 0 from its start, every object is
   in stripe 0, and generation 0's count is counted exactly, in gc_state.
   Once threads run, each stripe counts its births less its deaths and
   adds them to gc_state's count GC_COUNT_BATCH at a time (count_flush),
   as CPython's free-threaded build does: the count, and so the next
   automatic collection, may lag by that many per stripe. */
#define GC_STRIPES 64
#define GC_COUNT_BATCH 64
#else
#define GC_SPIN_LOCKS 0
#define GC_STRIPES 1
#endif

typedef struct GCHead {
    struct GCHead *next, *prev; /* prev NULL: not tracked */
    intptr_t refs;              /* during a collection: the references not yet explained */
#if GC_SPIN_LOCKS
    uint32_t flags;             /* GC_* below */
    uint32_t stripe;            /* toy-ft: its stripe, from birth to death */
#else
    uintptr_t flags;            /* GC_* below */
#endif
} GCHead;
_Static_assert(sizeof(GCHead) == OBJECT_GC_HEAD_SIZE, "object.h: OBJECT_GC_HEAD_SIZE");

enum {
    GC_COLLECTING = 1,  /* in the set being collected now */
    GC_UNREACHABLE = 2, /* in the collector's tentatively-unreachable list */
    GC_NEVER_TRACK = 4, /* untracked, and gc_track leaves it so (gc_never_track) */
    GC_DEATH_COUNTED = 8, /* toy-ft: gc_untrack_dying has uncounted it (gc_death need not) */
    GC_TRACKED = 16,    /* toy-ft: gc_track linked it; every untrack clears it (gc_tracked_already) */
    GC_TRACK_ASKED = 32, /* toy-ft: another thread asked the owner to track it (core/gcstripe.c) */
};

#define GC_HEAD(o) ((GCHead *)(o) - 1)
#define GC_OBJECT(h) ((Object *)((GCHead *)(h) + 1))

#define GC_NGENERATIONS 3
/* The lists a stripe has: the generations, then the permanent one. */
#define GC_PERMANENT GC_NGENERATIONS
#define GC_NLISTS (GC_NGENERATIONS + 1)

typedef struct {
    GCHead head;   /* list head (a sentinel, never an object), made by gc_head_init
                      through gc_list_of; toy-ft: unused (GCStripe) */
    int threshold;
    int count;     /* gen 0: allocations - deallocations; older: collections of the younger */
} GCGeneration;

typedef struct {
    GCGeneration gens[GC_NGENERATIONS];
    GCHead permanent;           /* gc.freeze(): never collected; toy-ft: unused */
    bool enabled;               /* gc.enable() / gc.disable() */
    bool collecting;            /* a collection is running */
    bool locking;               /* --no-gil: link/unlink under gc_lock */
    int64_t long_lived_total;   /* objects in generation 2 after its last collection */
    int64_t long_lived_pending; /* objects moved to generation 2 since */
} GCState;

extern GCState gc_state;

#if GC_SPIN_LOCKS
typedef struct GCRequest GCRequest; /* another thread's change, queued (core/gcstripe.c) */
#define GC_QUEUE_CLOSED ((GCRequest *)1) /* the stripe has no owner: change it under its lock */
#define GC_STRIPE_NONE UINT32_MAX        /* gc_stripe_mine of a thread that owns no stripe */
#define GC_STRIPE_COMMON (GC_STRIPES - 1) /* never owned: births of threads that own none */
typedef struct {
    _Atomic int lock;   /* 0 free, 1 held; taken only while the stripe has no owner */
    _Atomic int count;  /* births - deaths not yet added to gc_state.gens[0].count;
                           written by the owner (or the lock's holder) only */
    _Atomic(GCRequest *) queue; /* other threads' requests, newest first, or GC_QUEUE_CLOSED */
    GCHead lists[GC_NLISTS];
} __attribute__((aligned(64))) GCStripe;
extern GCStripe gc_stripes[GC_STRIPES];
/* The stripe this thread's containers are born into, and the one it owns
   (the same, or GC_STRIPE_NONE). */
extern _Thread_local uint32_t gc_stripe_self __attribute__((tls_model("initial-exec")));
extern _Thread_local uint32_t gc_stripe_mine __attribute__((tls_model("initial-exec")));

/* A head's flags, read and written by the owner while another thread may
   test GC_TRACKED or set GC_TRACK_ASKED: relaxed atomics, plain moves on
   the machine. (The collector writes them plainly, with the world stopped.) */
static inline uint32_t gc_flags(const GCHead *h) { return __atomic_load_n(&h->flags, __ATOMIC_RELAXED); }
static inline void gc_flags_set(GCHead *h, uint32_t f) { __atomic_store_n(&h->flags, f, __ATOMIC_RELAXED); }

/* The owner of st: carry out the requests others have queued (gcstripe.c);
   first, if there are any (one load, at each change it makes). */
void gc_stripe_drain(GCStripe *st);
static inline void gc_stripe_drain_if_asked(GCStripe *st) {
    if (__builtin_expect(atomic_load_explicit(&st->queue, memory_order_relaxed) != NULL, 0))
        gc_stripe_drain(st);
}
#endif

/* Stripe s's list: a generation (0 .. GC_NGENERATIONS - 1) or GC_PERMANENT.
   The GIL build has one stripe, the lists in gc_state. */
static inline GCHead *gc_list_of(unsigned s, int list) {
#if GC_SPIN_LOCKS
    return &gc_stripes[s].lists[list];
#else
    (void)s;
    return list == GC_PERMANENT ? &gc_state.permanent : &gc_state.gens[list].head;
#endif
}

/* Start-up: empty lists, CPython's thresholds, enabled. locking: the GIL is off. */
void gc_head_init(bool locking);
/* ts_create, on the new thread: which stripe its containers go to. */
void gc_stripe_attach(void);

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

/* Every stripe at once, for the collector and the gc module, with the
   world stopped (or the GIL held): append every stripe's list `list` to
   into / put each object of from into its own stripe's list `list` (the
   GIL build: append from to it) / how many objects every stripe's list
   `list` holds. toy-ft: the caller has settled the lists first
   (gc_lists_settle: objects/gc.c does, as a collection or a walk starts). */
void gc_lists_gather(int list, GCHead *into);
void gc_lists_scatter(GCHead *from, int list);
size_t gc_lists_size(int list);

/* Generation 0's count, with what the stripes have not added yet
   (gc.get_count), and its reset (a collection of generation 0, gc.freeze). */
int gc_young_count(void);
void gc_young_count_reset(void);

static inline bool gc_is_tracked(Object *o) { return GC_HEAD(o)->prev != NULL; }

/* The slow paths of the inline functions below: --no-gil (under the
   lock), and generation 0 past its threshold. */
void gc_untrack_locked(Object *o, bool freed);
void gc_threshold_passed(void);

#if GC_SPIN_LOCKS
/* toy-ft, once threads run: the same in the object's stripe, by its
   owner or at its owner's hands (core/gcstripe.c). gc_death_striped says
   true when the block went to the owner with the request, which gives it
   back once the object has left its list. */
void gc_birth_striped(Object *o, bool track);
void gc_track_striped(Object *o);
void gc_untrack_striped(Object *o);
void gc_dying_striped(Object *o);
bool gc_death_striped(Object *o, void *block, size_t bytes);
/* A thread that ends gives its stripe up (ts_destroy). */
void gc_stripe_detach(void);
/* Before a blocking call (core/gil.c): carry out what other threads asked
   of this thread's stripe, so that a thread that sleeps or waits does not
   hold the blocks of what it made and others freed. */
static inline void gc_stripe_drain_mine(void) {
    if (gc_stripe_mine != GC_STRIPE_NONE) gc_stripe_drain_if_asked(&gc_stripes[gc_stripe_mine]);
}
/* With the world stopped: carry out every queued request (gcstripe.c). */
void gc_lists_settle(void);
void gc_stripes_init(void);
void gc_stripes_after_fork_child(void);
static inline bool gc_alone(void) { return __builtin_expect(ts_single_threaded(), 1); }
#else
static inline void gc_stripe_detach(void) {}
static inline void gc_stripe_drain_mine(void) {}
static inline void gc_lists_settle(void) {}
static inline bool gc_alone(void) { return true; }
#endif

/* object_alloc: a new container counts toward generation 0's threshold
   and, if track, enters generation 0; else it starts untracked (prev NULL).
   locking: --no-gil (object_hooks, core/objhooks.h, says so; callers pass
   a constant 0 on their fast path, so that the test disappears; toy-ft
   links into the thread's own stripe instead, once threads run). Inline: every list,
   dict, tuple and instance comes here. */
void gc_birth_locked(Object *o, bool track);
static inline __attribute__((always_inline)) void gc_birth(Object *o, bool track, bool locking) {
    if (locking) {
        gc_birth_locked(o, track);
        return;
    }
    GCHead *h = GC_HEAD(o);
    h->refs = 0;
    h->flags = 0;
    if (!track) h->next = h->prev = NULL;
#if GC_SPIN_LOCKS
    if (!gc_alone()) {
        gc_birth_striped(o, track);
        return;
    }
    h->stripe = 0;
#endif
    GCGeneration *g0 = &gc_state.gens[0];
    if (track) gc_list_append(h, gc_list_of(0, 0));
    if (++g0->count > g0->threshold) gc_threshold_passed();
}

/* Untrack an object (no counting); nothing if it is not tracked. */
static inline void gc_untrack(Object *o) {
    /* With threads really at once, prev is read only under the lock
       (--no-gil) or by the object's owner (toy-ft): a neighbour's unlink
       rewrites it. */
    if (!GC_SPIN_LOCKS && gc_state.locking) {
        gc_untrack_locked(o, false);
        return;
    }
#if GC_SPIN_LOCKS
    if (!gc_alone()) {
        gc_untrack_striped(o);
        return;
    }
#endif
    GCHead *h = GC_HEAD(o);
    if (h->prev) {
        gc_list_remove(h);
        h->flags = 0;
    }
}

/* object_dealloc: a container about to be deallocated leaves its list. In
   toy-ft it is also uncounted there, and flagged GC_DEATH_COUNTED, so that
   gc_death (object_free) need not look for it again; if the dealloc
   revives it instead, gc_track counts it back. Once threads run, the
   object's owner does both if this thread is not it; the flag is then
   left to the owner, who writes it. */
static inline void gc_untrack_dying(Object *o) {
#if GC_SPIN_LOCKS
    if (!gc_alone()) {
        gc_dying_striped(o);
        return;
    }
    GCHead *h = GC_HEAD(o);
    if (h->prev) gc_list_remove(h);
    h->flags = GC_DEATH_COUNTED;
    if (gc_state.gens[0].count > 0) gc_state.gens[0].count--;
#else
    gc_untrack(o);
#endif
}

/* object_free: a dying container leaves its list (if still in one:
   object_dealloc has usually untracked it already) and uncounts; the
   block, of bytes bytes, follows. locking as for gc_birth. True when the
   block is no longer the caller's to free: toy-ft, once threads run, an
   object of another thread's stripe, whose block goes to that thread with
   the request to unlink it (core/gcstripe.c). */
static inline __attribute__((always_inline)) bool gc_death(Object *o, bool locking, void *block,
                                                           size_t bytes) {
    (void)block;
    (void)bytes;
    if (locking) {
        gc_untrack_locked(o, true);
        return false;
    }
    GCHead *h = GC_HEAD(o);
#if GC_SPIN_LOCKS
    if (!gc_alone()) {
        /* the owner's object after gc_untrack_dying: nothing left to do
           (another thread's flags are its owner's to read) */
        if (h->stripe == gc_stripe_mine && (gc_flags(h) & GC_DEATH_COUNTED)) return false;
        return gc_death_striped(o, block, bytes);
    }
    if (h->flags & GC_DEATH_COUNTED) return false; /* unlinked and uncounted */
#endif
    if (h->prev) gc_list_remove(h);
    if (gc_state.gens[0].count > 0) gc_state.gens[0].count--;
    return false;
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
   does not exist there (toy-ft: and the stripes' owners do not either). */
void gc_after_fork_child(void);

#endif
