/* gcmodule.c - the `gc` module: the cycle collector's controls
 * (objects/gc.h does the collecting, core/gchead.h keeps the lists).
 *
 * Values and messages are CPython 3.11's. One addition is Toy's own:
 * gc.freeze(immortal=True) (objects/immortal.h). gc.garbage and gc.callbacks are
 * plain lists in the module dict; the collector holds its own reference to
 * each (gc_set_lists) for as long as the interpreter runs.
 *
 * With --no-gil, other threads run in parallel and their counts race: a
 * collection would read counts that are changing under it. Toy then never
 * collects automatically, and gc.collect() raises RuntimeError unless this
 * is the only thread left (Toy's own rule; a free-threaded CPython stops
 * every other thread instead, docs/internals.md).
 */
#include "modules/gcmodule.h"

#include <time.h>

#include "core/gchead.h"
#include "core/refcount.h"
#include "objects/abstract.h"
#include "objects/dict.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/finalize.h"
#include "objects/gc.h"
#include "objects/immortal.h"
#include "objects/int.h"
#include "objects/list.h"
#include "objects/module.h"
#include "objects/tuple.h"
#include "modules/thread.h"

/* --no-gil: is this the only thread? A thread that was just joined may
   still be releasing its last objects (its C teardown): give such threads
   up to 100 ms to leave. No GIL is held with --no-gil, so waiting blocks
   nobody. */
static bool only_thread_left(void) {
    for (int waited_ms = 0; thread_count() > 1; waited_ms++) {
        if (waited_ms == 100) return false;
        struct timespec ms = {0, 1000000};
        nanosleep(&ms, NULL);
    }
    return true;
}

/* The argument as a C int, with CPython's errors. 0 / -1. */
static int as_c_int(Object *o, int *out) {
    Object *i = object_index(o);
    if (!i) return -1;
    int64_t v;
    int r = int_as_i64(i, &v);
    DECREF(i);
    if (r < 0 || v > INT32_MAX || v < INT32_MIN) {
        error_clear();
        error_set(&exc_OverflowError, "Python int too large to convert to C int");
        return -1;
    }
    *out = (int)v;
    return 0;
}

static Object *gc_collect_function(Object *self, Object *const *args, size_t nargs,
                                   Object *kwnames) {
    (void)self;
    static const char *const names[] = {"generation", NULL};
    Object *gen_arg = NULL;
    if (args_parse("collect", args, nargs, kwnames, names, 0, &gen_arg) < 0) return NULL;
    int generation = GC_NGENERATIONS - 1;
    if (gen_arg && as_c_int(gen_arg, &generation) < 0) return NULL;
    if (generation < 0 || generation >= GC_NGENERATIONS)
        return error_set(&exc_ValueError, "invalid generation");
    if (gc_state.locking && !GC_STOPS_THE_WORLD && !only_thread_left())
        return error_set(&exc_RuntimeError,
                         "gc.collect() with --no-gil needs every other thread to have ended");
    return int_from_i64(gc_collect(generation, true));
}

static Object *gc_enable(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self; (void)args;
    if (args_check("gc.enable", nargs, kwnames, 0, 0) < 0) return NULL;
    gc_state.enabled = true;
    return NEWREF(None);
}

static Object *gc_disable(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self; (void)args;
    if (args_check("gc.disable", nargs, kwnames, 0, 0) < 0) return NULL;
    gc_state.enabled = false;
    return NEWREF(None);
}

static Object *gc_isenabled(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self; (void)args;
    if (args_check("gc.isenabled", nargs, kwnames, 0, 0) < 0) return NULL;
    return bool_from(gc_state.enabled);
}

static Object *three_ints(int64_t a, int64_t b, int64_t c) {
    Object *x = int_from_i64(a), *y = int_from_i64(b), *z = int_from_i64(c);
    Object *t = x && y && z ? tuple_pack(3, x, y, z) : NULL;
    XDECREF(x);
    XDECREF(y);
    XDECREF(z);
    return t;
}

static Object *gc_get_count(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self; (void)args;
    if (args_check("gc.get_count", nargs, kwnames, 0, 0) < 0) return NULL;
    return three_ints(gc_young_count(), gc_state.gens[1].count, gc_state.gens[2].count);
}

static Object *gc_get_threshold(Object *self, Object *const *args, size_t nargs,
                                Object *kwnames) {
    (void)self; (void)args;
    if (args_check("gc.get_threshold", nargs, kwnames, 0, 0) < 0) return NULL;
    return three_ints(gc_state.gens[0].threshold, gc_state.gens[1].threshold,
                      gc_state.gens[2].threshold);
}

/* set_threshold(threshold0[, threshold1[, threshold2]]) */
static Object *gc_set_threshold(Object *self, Object *const *args, size_t nargs,
                                Object *kwnames) {
    (void)self;
    if (args_check_varargs("set_threshold", nargs, kwnames, 1, 3) < 0) return NULL;
    int values[GC_NGENERATIONS];
    for (size_t i = 0; i < GC_NGENERATIONS; i++) values[i] = gc_state.gens[i].threshold;
    for (size_t i = 0; i < nargs; i++)
        if (as_c_int(args[i], &values[i]) < 0) return NULL;
    for (size_t i = 0; i < GC_NGENERATIONS; i++) gc_state.gens[i].threshold = values[i];
    return NEWREF(None);
}

static Object *gc_get_debug(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self; (void)args;
    if (args_check("gc.get_debug", nargs, kwnames, 0, 0) < 0) return NULL;
    return int_from_i64(gc_debug_flags());
}

static Object *gc_set_debug(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    if (args_check("gc.set_debug", nargs, kwnames, 1, 1) < 0) return NULL;
    int flags;
    if (as_c_int(args[0], &flags) < 0) return NULL;
    gc_set_debug_flags(flags);
    return NEWREF(None);
}

/* Append every object of list to result, except result itself. */
static int append_list(Object *result, GCHead *list) {
    for (GCHead *h = list->next; h != list; h = h->next) {
        Object *o = GC_OBJECT(h);
        if (o != result && list_append(result, o) < 0) return -1;
    }
    return 0;
}

/* get_objects(generation=None) */
static Object *gc_get_objects(Object *self, Object *const *args, size_t nargs,
                              Object *kwnames) {
    (void)self;
    static const char *const names[] = {"generation", NULL};
    Object *gen_arg = NULL;
    if (args_parse("get_objects", args, nargs, kwnames, names, 0, &gen_arg) < 0) return NULL;
    int generation = -1;
    if (gen_arg && gen_arg != None) {
        if (!is_instance_of(gen_arg, &int_type))
            return error_set(&exc_TypeError, "argument should be integer or None, not '%s'",
                             TYPE_NAME(gen_arg));
        if (as_c_int(gen_arg, &generation) < 0) return NULL;
        if (generation >= GC_NGENERATIONS)
            return error_set(&exc_ValueError,
                             "generation parameter must be less than the number of available "
                             "generations (%d)", GC_NGENERATIONS);
    }
    Object *result = list_new(0);
    if (!result) return NULL;
    bool stopped = gc_walk_begin();
    for (int i = 0; i < GC_NGENERATIONS; i++) {
        if (generation >= 0 && i != generation) continue;
        for (unsigned s = 0; s < GC_STRIPES; s++) {
            if (append_list(result, gc_list_of(s, i)) < 0) {
                gc_walk_end(stopped);
                DECREF(result);
                return NULL;
            }
        }
    }
    gc_walk_end(stopped);
    return result;
}

typedef struct {
    Object *const *targets;
    size_t n;
} Targets;

static int visit_finds_target(Object *o, void *arg) {
    Targets *t = arg;
    for (size_t i = 0; i < t->n; i++)
        if (t->targets[i] == o) return 1;
    return 0;
}

/* get_referrers(*objs): the tracked objects that refer to any of objs. */
static Object *gc_get_referrers(Object *self, Object *const *args, size_t nargs,
                                Object *kwnames) {
    (void)self;
    if (kwnames && tuple_size(kwnames) > 0)
        return error_set(&exc_TypeError, "get_referrers() takes no keyword arguments");
    Targets t = {args, nargs};
    Object *result = list_new(0);
    if (!result) return NULL;
    bool stopped = gc_walk_begin(); /* toy-ft: as get_objects, and the
                                       containers' references hold still */
    for (int i = 0; i < GC_NGENERATIONS * GC_STRIPES; i++) { /* each stripe's generations */
        GCHead *list = gc_list_of((unsigned)i / GC_NGENERATIONS, i % GC_NGENERATIONS);
        for (GCHead *h = list->next; h != list; h = h->next) {
            Object *o = GC_OBJECT(h);
            if (o == result || !gc_traverse(o, visit_finds_target, &t)) continue;
            if (list_append(result, o) < 0) {
                gc_walk_end(stopped);
                DECREF(result);
                return NULL;
            }
        }
    }
    gc_walk_end(stopped);
    return result;
}

static int visit_append(Object *o, void *arg) { return list_append(arg, o) < 0 ? -1 : 0; }

/* get_referents(*objs): what the containers among objs refer to. */
static Object *gc_get_referents(Object *self, Object *const *args, size_t nargs,
                                Object *kwnames) {
    (void)self;
    if (kwnames && tuple_size(kwnames) > 0)
        return error_set(&exc_TypeError, "get_referents() takes no keyword arguments");
    Object *result = list_new(0);
    if (!result) return NULL;
    for (size_t i = 0; i < nargs; i++) {
        if (!object_is_gc(args[i])) continue;
        if (gc_traverse(args[i], visit_append, result) < 0) {
            DECREF(result);
            return NULL;
        }
    }
    return result;
}

static Object *gc_is_tracked_function(Object *self, Object *const *args, size_t nargs,
                                      Object *kwnames) {
    (void)self;
    if (args_check("gc.is_tracked", nargs, kwnames, 1, 1) < 0) return NULL;
    if (!object_is_gc(args[0])) return bool_from(false);
    /* toy-ft: with the world stopped, the object's owner has done what
       other threads asked (a store of a container into its dict asks it
       to track the dict), and is not rewriting the object's links */
    bool stopped = gc_walk_begin();
    bool tracked = gc_is_tracked(args[0]);
    gc_walk_end(stopped);
    return bool_from(tracked);
}

static Object *gc_is_finalized(Object *self, Object *const *args, size_t nargs,
                               Object *kwnames) {
    (void)self;
    if (args_check("gc.is_finalized", nargs, kwnames, 1, 1) < 0) return NULL;
    return bool_from(object_is_gc(args[0]) && finalize_is_done(args[0]));
}

/* freeze(): everything tracked now moves to the permanent generation,
   which no collection looks at. freeze(immortal=True), Toy's own keyword
   (CPython's freeze takes no argument): then makes every object of the
   permanent generation immortal, with all it refers to (objects/immortal.h). */
static Object *gc_freeze(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    if (args_check("gc.freeze", nargs, NULL, 0, 0) < 0) return NULL;
    static const char *const names[] = {"immortal", NULL};
    Object *immortal_arg = NULL;
    if (args_parse("freeze", args, nargs, kwnames, names, 0, &immortal_arg) < 0) return NULL;
    int immortal = immortal_arg ? object_truth(immortal_arg) : 0;
    if (immortal < 0) return NULL;
    /* The walk reads every frozen object's references: with --no-gil, as
       gc.collect(), only once no other thread can be changing them. */
    if (immortal && gc_state.locking && !only_thread_left())
        return error_set(&exc_RuntimeError,
                         "gc.freeze(immortal=True) with --no-gil needs every other thread to have ended");
    /* toy-ft: other threads link and unlink objects on these lists, and
       the immortal walk reads references: both with the world stopped. */
    bool stopped = gc_walk_begin();
    for (unsigned s = 0; s < GC_STRIPES; s++)
        for (int i = 0; i < GC_NGENERATIONS; i++)
            gc_list_merge(gc_list_of(s, i), gc_list_of(s, GC_PERMANENT));
    gc_young_count_reset();
    int failed = immortal && immortal_freeze() < 0;
    gc_walk_end(stopped);
    return failed ? NULL : NEWREF(None);
}

static Object *gc_unfreeze(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self; (void)args;
    if (args_check("gc.unfreeze", nargs, kwnames, 0, 0) < 0) return NULL;
    bool stopped = gc_walk_begin();
    for (unsigned s = 0; s < GC_STRIPES; s++)
        gc_list_merge(gc_list_of(s, GC_PERMANENT), gc_list_of(s, GC_NGENERATIONS - 1));
    gc_walk_end(stopped);
    return NEWREF(None);
}

static Object *gc_get_freeze_count(Object *self, Object *const *args, size_t nargs,
                                   Object *kwnames) {
    (void)self; (void)args;
    if (args_check("gc.get_freeze_count", nargs, kwnames, 0, 0) < 0) return NULL;
    bool stopped = gc_walk_begin();
    size_t n = gc_lists_size(GC_PERMANENT);
    gc_walk_end(stopped);
    return int_from_i64((int64_t)n);
}

static Object *stats_dict(GCGenStats s) {
    Object *d = dict_new();
    Object *a = int_from_i64(s.collections), *b = int_from_i64(s.collected),
           *c = int_from_i64(s.uncollectable);
    if (!d || !a || !b || !c || dict_set_item_cstr(d, "collections", a) < 0 ||
        dict_set_item_cstr(d, "collected", b) < 0 || dict_set_item_cstr(d, "uncollectable", c) < 0)
        CLEAR(&d);
    XDECREF(a);
    XDECREF(b);
    XDECREF(c);
    return d;
}

static Object *gc_get_stats(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self; (void)args;
    if (args_check("gc.get_stats", nargs, kwnames, 0, 0) < 0) return NULL;
    Object *result = list_new(0);
    for (int i = 0; result && i < GC_NGENERATIONS; i++) {
        Object *d = stats_dict(gc_generation_stats(i));
        if (!d || list_append_steal(result, d) < 0) CLEAR(&result);
    }
    return result;
}

static const MethodDef gc_functions[] = {
    {"collect", gc_collect_function, "Run the garbage collector."},
    {"enable", gc_enable, "Enable automatic garbage collection."},
    {"disable", gc_disable, "Disable automatic garbage collection."},
    {"isenabled", gc_isenabled, "Returns true if automatic garbage collection is enabled."},
    {"get_count", gc_get_count, "Return a three-tuple of the current collection counts."},
    {"get_threshold", gc_get_threshold, "Return the current collection thresholds."},
    {"set_threshold", gc_set_threshold, "Set the collection thresholds."},
    {"get_debug", gc_get_debug, "Get the garbage collection debugging flags."},
    {"set_debug", gc_set_debug, "Set the garbage collection debugging flags."},
    {"get_objects", gc_get_objects, "Return a list of objects tracked by the collector."},
    {"get_referrers", gc_get_referrers, "Return the list of objects that directly refer to any of objs."},
    {"get_referents", gc_get_referents, "Return the list of objects that are directly referred to by objs."},
    {"is_tracked", gc_is_tracked_function, "Returns true if the object is tracked by the garbage collector."},
    {"is_finalized", gc_is_finalized, "Returns true if the object has been already finalized by the GC."},
    {"freeze", gc_freeze, "Freeze all current tracked objects and ignore them for future collections."},
    {"unfreeze", gc_unfreeze, "Unfreeze all objects in the permanent generation."},
    {"get_freeze_count", gc_get_freeze_count, "Return the number of objects in the permanent generation."},
    {"get_stats", gc_get_stats, "Return a list of dictionaries containing per-generation statistics."},
    {NULL, NULL, NULL},
};

static int add_int(Object *m, const char *name, int64_t v) {
    Object *i = int_from_i64(v);
    int r = i ? module_add_object(m, name, i) : -1;
    XDECREF(i);
    return r;
}

static int add_lists(Object *m) {
    Object *garbage = list_new(0), *callbacks = list_new(0);
    int r = garbage && callbacks && module_add_object(m, "garbage", garbage) == 0 &&
                    module_add_object(m, "callbacks", callbacks) == 0
                ? 0 : -1;
    if (r == 0) gc_set_lists(garbage, callbacks);
    XDECREF(garbage);
    XDECREF(callbacks);
    return r;
}

Object *gc_module_init(void) {
    Object *m = module_new("gc");
    if (!m) return NULL;
    if (module_add_functions(m, gc_functions) < 0 || add_lists(m) < 0 ||
        add_int(m, "DEBUG_STATS", GC_DEBUG_STATS) < 0 ||
        add_int(m, "DEBUG_COLLECTABLE", GC_DEBUG_COLLECTABLE) < 0 ||
        add_int(m, "DEBUG_UNCOLLECTABLE", GC_DEBUG_UNCOLLECTABLE) < 0 ||
        add_int(m, "DEBUG_SAVEALL", GC_DEBUG_SAVEALL) < 0 ||
        add_int(m, "DEBUG_LEAK", GC_DEBUG_LEAK) < 0) {
        DECREF(m);
        return NULL;
    }
    return m;
}
