/* gc.h - the cycle collector: finds groups of containers that refer only to
 * each other (reference cycles no count will ever free) and frees them.
 *
 * The model is CPython's (docs/internals.md, "The cycle collector"):
 *   - every container (a TYPE_GC type: list, dict, tuple, set, instances,
 *     functions, cells, generators, classes, ...) is tracked in one of three
 *     generations from birth (core/gchead.h);
 *   - a collection of generation g takes generations 0..g together, sets
 *     each object's `refs` to its count and subtracts one for every
 *     reference found inside the set (traverse slots): what stays above zero
 *     is referred to from outside (a variable, a frame, an older object),
 *     and everything reachable from those objects is alive; the rest is
 *     garbage;
 *   - garbage with a finalizer (__del__, a generator suspended in a try) has
 *     it run once (PEP 442); objects that the finalizers made reachable again
 *     survive; the rest have their clear slots called, which breaks the
 *     cycles, and the counts free them;
 *   - survivors move one generation older.
 *
 * Everything runs with the GIL held, on the thread that asked. Automatic
 * collections start only at the eval loop's breaker check (interp/vm_breaker.c),
 * never inside an allocation, so no half-built object is ever traversed.
 * With --no-gil there is no automatic collection, and gc.collect() refuses to
 * run while another thread is running (modules/gcmodule.c).
 */
#ifndef TOY_GC_H
#define TOY_GC_H

#include <stdbool.h>
#include <stdint.h>

#include "core/gchead.h"
#include "core/object.h"
#include "objects/tuple.h"

enum {
    GC_DEBUG_STATS = 1,
    GC_DEBUG_COLLECTABLE = 2,
    GC_DEBUG_UNCOLLECTABLE = 4,
    GC_DEBUG_SAVEALL = 32,
    GC_DEBUG_LEAK = GC_DEBUG_COLLECTABLE | GC_DEBUG_UNCOLLECTABLE | GC_DEBUG_SAVEALL,
};

typedef struct {
    int64_t collections;
    int64_t collected;
    int64_t uncollectable;
} GCGenStats;

/* What the collector needs from the gc module, owned here once the module
   has been imported (gc_set_lists), released by gc_fini: the lists
   gc.garbage (DEBUG_SAVEALL appends the garbage there) and gc.callbacks
   (called with "start"/"stop" and an info dict around each collection). */
void gc_set_lists(Object *garbage, Object *callbacks);

/* Collect generations 0..generation (0-2). Returns the number of
   unreachable objects found (freed, or saved with DEBUG_SAVEALL); 0 when a
   collection is already running. The current exception is kept aside.
   callbacks: call gc.callbacks around it. */
int64_t gc_collect(int generation, bool callbacks);
/* gc.get_objects' walk of the generation lists. toy-ft: other threads link
   and unlink objects all the time, and an object may sit in a list with
   its count at zero, halfway through its death, so the walk runs with the
   world stopped, as a collection does: gc_walk_begin returns whether it
   stopped it (false: the GIL build, or this thread already holds the world
   stopped, a finalizer or callback of its own collection), which
   gc_walk_end is given. */
#ifdef TOY_FREE_THREADED
bool gc_walk_begin(void);
void gc_walk_end(bool stopped);
#else
static inline bool gc_walk_begin(void) { return false; }
static inline void gc_walk_end(bool stopped) { (void)stopped; }
#endif

/* The eval breaker saw GIL_BREAK_GC: collect the oldest generation whose
   count passed its threshold, as CPython 3.11 chooses it. */
void gc_collect_automatic(void);

/* At exit, before and after the modules are torn down: a full collection
   when the collector is enabled (with callbacks only before). */
void gc_collect_at_exit(bool callbacks);

/* Could o ever hold a reference the collector must follow? CPython's rule:
   any container, except a tuple the collector has untracked (its items
   can never become containers that are tracked). A dict stays untracked
   until a key or value that may be tracked is stored in it (dict.c). */
static inline bool gc_may_be_tracked(Object *o) {
    if (!object_is_gc(o)) return false;
    /* With the collector's lock on (toy-ft, --no-gil) another thread may be
       linking o's neighbours: its links are read only under the lock, so
       any container counts. */
    return gc_state.locking || !is_tuple_exact(o) || gc_is_tracked(o);
}

/* A store into dict o, with o's lock held (core/objlock.h): is o surely
   tracked already, so that storing a container needs no gc_track? The GIL
   build reads prev, but not with --no-gil (gc_state.locking), where a
   neighbour's unlink may be rewriting it: the answer is then no, and
   gc_track looks under the collector's lock. toy-ft reads GC_TRACKED
   instead, which the dict's owner may be writing meanwhile (an atomic
   load, a plain one on the machine): only a track sets it, as it links
   the dict, and every untrack clears it (a collection clears it too, on
   whatever it leaves tracked). Untracks of a dict happen with the world
   stopped (the collector) or where no other thread holds the dict (its
   death). So a clear bit may mean tracked (one gc_track more), a set bit
   always means tracked. */
static inline bool gc_tracked_already(Object *o) {
#if GC_SPIN_LOCKS
    return gc_flags(GC_HEAD(o)) & GC_TRACKED;
#else
    return !gc_state.locking && gc_is_tracked(o);
#endif
}

/* The collector's own untracking, as CPython's: a tuple whose items may
   none be tracked (every collection, of the survivors), a dict whose keys
   and values may none be (full collections only). */
bool tuple_may_untrack(Object *t);
bool dict_may_untrack(Object *d);

/* Release the lists; after the teardown. */
void gc_fini(void);

int gc_debug_flags(void);
void gc_set_debug_flags(int flags);
GCGenStats gc_generation_stats(int generation);
/* Objects freed by the collector, for --stats. */
int64_t gc_total_collected(void);

/* Visit o's references with the collector's own rule: the type's traverse
   slot, plus the class of an instance of a user class (it holds one). */
int gc_traverse(Object *o, VisitFunc visit, void *arg);

#endif
