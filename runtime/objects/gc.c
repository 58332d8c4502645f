/* gc.c - the cycle collector (gc.h). The algorithm, step by step, is in
 * docs/internals.md ("The cycle collector"); the comments below name the
 * steps.
 *
 * State: core/gchead.h's gc_state (lists, thresholds, counts), and here the
 * statistics, the debug flags and the two lists owned for the gc module.
 * All of it is protected by the GIL; collections never overlap
 * (gc_state.collecting).
 *
 * Lists used during one collection, all circular lists of GCHeads:
 *   young        the generations being collected, merged
 *   unreachable  what no reference from outside reaches
 *   old          where survivors go (the next generation, or generation 2)
 * An object is in exactly one list at any time; a dealloc that runs during
 * the collection (a finalizer dropping a reference) unlinks its object from
 * whichever list holds it (object_dealloc), so every walk below re-reads
 * `next` after any call that can run code.
 */
#include "objects/gc.h"

#include <stdio.h>
#include <time.h>

#include "core/gil.h"
#include "core/refcount.h"
#include "core/threadstate.h"
#include "objects/dict.h"
#include "objects/error.h"
#include "objects/finalize.h"
#include "objects/int.h"
#include "objects/list.h"
#include "objects/str.h"
#include "objects/tuple.h"
#include "objects/weakref.h"
#include "objects/abstract.h"

static GCGenStats gen_stats[GC_NGENERATIONS];
static int debug_flags;
static int64_t total_collected;
static Object *garbage_list;   /* gc.garbage, owned, or NULL before import */
static Object *callback_list;  /* gc.callbacks, owned, or NULL */

void gc_set_lists(Object *garbage, Object *callbacks) {
    SETREF(&garbage_list, NEWREF(garbage));
    SETREF(&callback_list, NEWREF(callbacks));
}

void gc_fini(void) {
    CLEAR(&garbage_list);
    CLEAR(&callback_list);
}

int gc_debug_flags(void) { return debug_flags; }
void gc_set_debug_flags(int flags) { debug_flags = flags; }
GCGenStats gc_generation_stats(int generation) { return gen_stats[generation]; }
int64_t gc_total_collected(void) { return total_collected; }

int gc_traverse(Object *o, VisitFunc visit, void *arg) {
    Type *t = TYPE(o);
    int r = t->traverse ? t->traverse(o, visit, arg) : 0;
    if (r == 0 && (t->flags & TYPE_HEAP)) r = visit((Object *)t, arg);
    return r;
}

/* Is o a tracked container of the set being collected? */
static inline GCHead *collecting_head(Object *o) {
    if (!object_is_gc(o)) return NULL;
    GCHead *h = GC_HEAD(o);
    return (h->prev && (h->flags & GC_COLLECTING)) ? h : NULL;
}

/* ---- Step 1: which objects are referred to from outside ------------------- */

/* Returns how many objects list holds. */
static size_t update_refs(GCHead *list) {
    size_t n = 0;
    for (GCHead *h = list->next; h != list; h = h->next, n++) {
        h->refs = REFCNT(GC_OBJECT(h));
        h->flags |= GC_COLLECTING;
    }
    return n;
}

static int visit_decref(Object *o, void *arg) {
    (void)arg;
    GCHead *h = collecting_head(o);
    if (h) h->refs--;
    return 0;
}

static void subtract_refs(GCHead *list) {
    for (GCHead *h = list->next; h != list; h = h->next)
        gc_traverse(GC_OBJECT(h), visit_decref, NULL);
}

/* ---- Step 2: everything those objects reach is alive; the rest is not ----- */

static int visit_reachable(Object *o, void *arg) {
    GCHead *list = arg, *h = collecting_head(o);
    if (!h) return 0;
    if (h->flags & GC_UNREACHABLE) { /* judged too early: back to be scanned */
        h->flags &= ~(uintptr_t)GC_UNREACHABLE;
        h->refs = 1;
        gc_list_move(h, list);
    } else if (h->refs == 0) {
        h->refs = 1; /* will be scanned as alive when the walk gets there */
    }
    return 0;
}

/* Walk list in order: an object with refs > 0 is alive and marks what it
   refers to alive; one with refs == 0 moves, tentatively, to unreachable
   (an alive object met later may bring it back, to the end of list). An
   alive object is done once scanned: it leaves the collecting set (its
   flags are cleared), which later visits then simply skip. */
static void move_unreachable(GCHead *list, GCHead *unreachable) {
    GCHead *h = list->next;
    while (h != list) {
        GCHead *next;
        if (h->refs > 0) {
            gc_traverse(GC_OBJECT(h), visit_reachable, list);
            h->flags = 0;
            next = h->next;
        } else {
            next = h->next;
            gc_list_move(h, unreachable);
            h->flags |= GC_UNREACHABLE;
        }
        h = next;
    }
}

/* ---- Untracking what can never be in a cycle, as CPython does ------------ */

/* Tuples (every collection) and, in a full collection, dicts that hold
   nothing that may be tracked leave the lists: later collections skip
   them. A dict is tracked again when such a thing is stored in it
   (dict.c); a tuple never changes. Items are examined in list order, so a
   tuple of tuples untracks in one pass when the inner ones come first,
   as they do when they were made first. */
static size_t untrack_atomic(GCHead *list, bool dicts) {
    size_t n = 0;
    GCHead *h = list->next;
    while (h != list) {
        GCHead *next = h->next;
        Object *o = GC_OBJECT(h);
        if ((is_tuple_exact(o) && tuple_may_untrack(o)) ||
            (dicts && is_dict_exact(o) && dict_may_untrack(o))) {
            gc_list_remove(h);
            h->flags = 0;
            n++;
        }
        h = next;
    }
    return n;
}

static void clear_flags(GCHead *list) {
    for (GCHead *h = list->next; h != list; h = h->next) h->flags = 0;
}

/* ---- Step 3: finalizers ---------------------------------------------------- */

static bool has_finalizer(Object *o) {
    if (TYPE(o)->flags & TYPE_FINALIZER) return !finalize_is_done(o);
    return TYPE(o)->finalize != NULL;
}

/* Run each garbage object's finalizer once. Each object moves to `seen`
   before its finalizer runs, so the walk never depends on what the
   finalizer does to the list (it may free other members). */
static void finalize_garbage(GCHead *unreachable) {
    GCHead seen;
    gc_list_init(&seen);
    while (!gc_list_empty(unreachable)) {
        GCHead *h = unreachable->next;
        gc_list_move(h, &seen);
        Object *o = GC_OBJECT(h);
        if (!has_finalizer(o)) continue;
        INCREF(o);
        if (TYPE(o)->flags & TYPE_FINALIZER)
            finalize_run_once(o);
        else
            TYPE(o)->finalize(o);
        DECREF(o);
    }
    gc_list_merge(&seen, unreachable);
}

/* Is ref (a weak reference) garbage itself, found unreachable now? */
static bool is_garbage(Object *ref) {
    return object_is_gc(ref) && (GC_HEAD(ref)->flags & GC_UNREACHABLE);
}

/* Move the weak references to o that have a callback and are not garbage
   themselves into run, after clearing every weak reference to o. Without
   memory for the list, o's weak references are cleared and their
   callbacks dropped uncalled. */
static void detach_weakrefs(Object *o, Object *run) {
    Object *with_callback = weakref_detach_refs(o);
    if (!with_callback) {
        error_clear();
        weakref_clear_refs(o, false);
        return;
    }
    for (size_t i = 0; i < list_size(with_callback); i++) {
        Object *ref = list_item(with_callback, i);
        if (!is_garbage(ref) && list_append(run, ref) < 0) error_clear();
    }
    DECREF(with_callback);
}

/* The weak references to garbage, before any finalizer runs: first every
   one of them is cleared, so that no callback or finalizer can reach
   garbage through one; then the callbacks of those that are alive
   themselves are called. The callback of a weak reference that is garbage
   too is never called (it goes with its cycle), as in CPython. */
static void handle_weakrefs(GCHead *unreachable) {
    Object *run = NULL;
    for (GCHead *h = unreachable->next; h != unreachable; h = h->next) {
        Object *o = GC_OBJECT(h);
        if (!object_has_weakrefs(o)) continue;
        if (!run && !(run = list_new(0))) {
            error_clear();
            weakref_clear_refs(o, false);
            continue;
        }
        detach_weakrefs(o, run);
    }
    if (!run) return;
    for (size_t i = 0; i < list_size(run); i++) weakref_run_callback(list_item(run, i));
    DECREF(run);
}

/* A finalizer may have stored a reference to garbage somewhere alive
   (resurrection). Judge the garbage again, alone: what is now referred to
   from outside, and what it reaches, survives into old; the rest goes to
   final. */
static void handle_resurrected(GCHead *unreachable, GCHead *final, GCHead *old) {
    clear_flags(unreachable);
    update_refs(unreachable);
    subtract_refs(unreachable);
    move_unreachable(unreachable, final); /* clears the survivors' flags */
    gc_list_merge(unreachable, old);
}

/* How many objects of final CPython 3.11 would count: there an instance of a
   plain class keeps its attributes inline, and its __dict__ becomes an
   object of its own only when something asks for it (not so for
   subclasses of other built-in types: they have a real dict there too). Toy's instances
   always have one; a garbage dict that only its garbage instance holds is
   not counted, so that gc.collect() reports what CPython reports for the
   same program (unless that program looked at the instance's __dict__). */
static int64_t count_as_cpython(GCHead *final) {
    int64_t n = 0;
    for (GCHead *h = final->next; h != final; h = h->next) {
        n++;
        Object *o = GC_OBJECT(h);
        if ((TYPE(o)->flags & (TYPE_HEAP | TYPE_EXCEPTION)) != TYPE_HEAP) continue;
        if (TYPE(o)->builtin_base != &object_type) continue; /* a real dict there too */
        Object **dictp = object_dict_ptr(o);
        Object *d = dictp ? *dictp : NULL;
        if (d && is_dict(d) && REFCNT(d) == 1 &&
            (GC_HEAD(d)->flags & (GC_COLLECTING | GC_UNREACHABLE)) ==
                (GC_COLLECTING | GC_UNREACHABLE))
            n--;
    }
    return n;
}

/* ---- Step 4: break the cycles ------------------------------------------------ */

/* Call each object's clear slot; the counts then free the objects. One that
   survives its clear (a tuple, which has none, until its cycle partner is
   cleared) joins old. With DEBUG_SAVEALL, nothing is cleared: the objects
   go to gc.garbage instead. */
static void delete_garbage(GCHead *final, GCHead *old) {
    while (!gc_list_empty(final)) {
        GCHead *h = final->next;
        Object *o = GC_OBJECT(h);
        if ((debug_flags & GC_DEBUG_SAVEALL) && garbage_list) {
            if (list_append(garbage_list, o) < 0) error_clear();
            h->flags = 0;
            gc_list_move(h, old);
            continue;
        }
        INCREF(o);
        if (TYPE(o)->clear) TYPE(o)->clear(o);
        if (h->prev) { /* still here: alive until the DECREF below decides */
            h->flags = 0;
            gc_list_move(h, old);
        }
        DECREF(o);
    }
}

/* ---- Callbacks and debug output ------------------------------------------------ */

static Object *callback_info(int generation, int64_t collected, int64_t uncollectable) {
    Object *info = dict_new();
    Object *g = int_from_i64(generation), *c = int_from_i64(collected),
           *u = int_from_i64(uncollectable);
    if (!info || !g || !c || !u || dict_set_item_cstr(info, "generation", g) < 0 ||
        dict_set_item_cstr(info, "collected", c) < 0 ||
        dict_set_item_cstr(info, "uncollectable", u) < 0)
        CLEAR(&info);
    XDECREF(g);
    XDECREF(c);
    XDECREF(u);
    return info;
}

/* Call every callback (a copy of the list: they may change it) with
   (phase, info). An exception is reported as unraisable and dropped. */
static void run_callbacks(const char *phase, int generation, int64_t collected,
                          int64_t uncollectable) {
    if (!callback_list || list_size(callback_list) == 0) return;
    Object *pending = error_fetch();
    Object *copy = list_from_iterable(callback_list);
    Object *args[2] = {str_from_cstr(phase), callback_info(generation, collected, uncollectable)};
    if (copy && args[0] && args[1]) {
        for (size_t i = 0; i < list_size(copy); i++) {
            Object *cb = list_item(copy, i);
            Object *r = object_call(cb, args, 2, NULL);
            if (r) DECREF(r);
            else error_report_unraisable(cb);
        }
    } else {
        error_clear();
    }
    XDECREF(copy);
    XDECREF(args[0]);
    XDECREF(args[1]);
    if (pending) error_restore(pending);
}

static void debug_start(int generation) {
    fprintf(stderr, "gc: collecting generation %d...\n", generation);
    fprintf(stderr, "gc: objects in each generation: %zu %zu %zu\n", gc_lists_size(0),
            gc_lists_size(1), gc_lists_size(2));
    fprintf(stderr, "gc: objects in permanent generation: %zu\n", gc_lists_size(GC_PERMANENT));
}

static void debug_collectable(GCHead *list) {
    for (GCHead *h = list->next; h != list; h = h->next)
        fprintf(stderr, "gc: collectable <%s %p>\n", TYPE_NAME(GC_OBJECT(h)),
                (void *)GC_OBJECT(h));
}

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- One collection ---------------------------------------------------------------- */

/* Generations 0..generation were collected, survivors of them stay;
   counts as CPython keeps them. */
static void update_counts(int generation, int64_t survivors) {
    if (generation + 1 < GC_NGENERATIONS) gc_state.gens[generation + 1].count++;
    gc_young_count_reset();
    for (int i = 1; i <= generation; i++) gc_state.gens[i].count = 0;
    if (generation == GC_NGENERATIONS - 2) gc_state.long_lived_pending += survivors;
    if (generation == GC_NGENERATIONS - 1) {
        gc_state.long_lived_pending = 0;
        gc_state.long_lived_total = survivors;
    }
}

static int64_t collect_main(int generation) {
    gc_lists_settle(); /* toy-ft: every change other threads asked for, made */
    double t0 = 0;
    if (debug_flags & GC_DEBUG_STATS) {
        debug_start(generation);
        t0 = now_seconds();
    }
    /* The generation collected, then the younger ones after it; from
       every stripe (toy-ft, core/gchead.h). Survivors go to the next
       generation (the oldest stays where it is), each in its stripe. */
    GCHead young, unreachable, final, late;
    gc_list_init(&young);
    gc_list_init(&unreachable);
    gc_list_init(&final);
    gc_list_init(&late);
    gc_lists_gather(generation, &young);
    for (int i = 0; i < generation; i++) gc_lists_gather(i, &young);
    bool oldest = generation + 1 == GC_NGENERATIONS;
    int older = oldest ? generation : generation + 1;

    size_t n = update_refs(&young);
    subtract_refs(&young);
    move_unreachable(&young, &unreachable); /* clears the survivors' flags */
    size_t gone = gc_list_size(&unreachable) + untrack_atomic(&young, oldest);
    update_counts(generation, (int64_t)(n - gone));
    gc_lists_scatter(&young, older);
    if (debug_flags & GC_DEBUG_COLLECTABLE) debug_collectable(&unreachable);

    /* Weak references first, before any finalizer runs, as CPython does
       (handle_weakrefs); the objects stay in `unreachable`. */
    handle_weakrefs(&unreachable);
    finalize_garbage(&unreachable);
    handle_resurrected(&unreachable, &final, &late);

    int64_t collected = count_as_cpython(&final);
    delete_garbage(&final, &late);
    gc_lists_scatter(&late, older);

    gen_stats[generation].collections++;
    gen_stats[generation].collected += collected;
    total_collected += collected;
    if (debug_flags & GC_DEBUG_STATS)
        fprintf(stderr, "gc: done, %lld unreachable, 0 uncollectable, %.4fs elapsed\n",
                (long long)collected, now_seconds() - t0);
    return collected;
}

/* With the world stopped (or the GIL held): one collection, unless one is
   already running on this thread (a finalizer calling gc.collect()). */
static int64_t collect_stopped(int generation, bool callbacks) {
    if (gc_state.collecting) return 0;
    gc_state.collecting = true;
    Object *pending = error_fetch();
    if (callbacks) run_callbacks("start", generation, 0, 0);
    int64_t n = collect_main(generation);
    if (callbacks) run_callbacks("stop", generation, n, 0);
    if (pending) error_restore(pending);
    gc_state.collecting = false;
    return n;
}

/* Without the GIL, the free-threaded build stops the world for a
   collection (core/gil_world.c); another thread's collection under way
   means none now. With the GIL, stopping costs nothing. */
int64_t gc_collect(int generation, bool callbacks) {
    ThreadState *ts = ts_get();
    if (!gil_stop_the_world(ts)) return 0;
    dict_free_retired(); /* toy-ft: no lock-free reader is under way */
    int64_t n = collect_stopped(generation, callbacks);
    gil_start_the_world(ts);
    return n;
}

#ifdef TOY_FREE_THREADED
/* false: a finalizer or callback of this thread's own collection, which
   holds the world already. */
bool gc_walk_begin(void) {
    bool stopped = gil_stop_the_world_wait(ts_get());
    gc_lists_settle(); /* every change other threads asked for, made */
    return stopped;
}

void gc_walk_end(bool stopped) {
    if (stopped) gil_start_the_world(ts_get());
}
#endif

/* The oldest generation due for a collection, or -1. */
static int generation_due(void) {
    for (int i = GC_NGENERATIONS - 1; i >= 0; i--) {
        if (gc_state.gens[i].count <= gc_state.gens[i].threshold) continue;
        /* generation 2 waits until a quarter as many objects again have
           reached it as it held after its last collection */
        if (i == GC_NGENERATIONS - 1 &&
            gc_state.long_lived_pending < gc_state.long_lived_total / 4)
            continue;
        return i;
    }
    return -1;
}

void gc_collect_automatic(void) {
    if (gc_state.locking && !GC_STOPS_THE_WORLD) return; /* --no-gil */
    ThreadState *ts = ts_get();
    if (!gil_stop_the_world(ts)) return;
    dict_free_retired(); /* toy-ft: no lock-free reader is under way */
    /* Decided with the world stopped: other threads change the counts. */
    int generation = gc_state.enabled ? generation_due() : -1;
    if (generation >= 0) collect_stopped(generation, true);
    gil_start_the_world(ts);
}

/* Only called once every other thread has ended, so also with --no-gil. */
void gc_collect_at_exit(bool callbacks) {
    if (gc_state.enabled) gc_collect(GC_NGENERATIONS - 1, callbacks);
    dict_free_retired(); /* toy-ft: every other thread has ended */
}
