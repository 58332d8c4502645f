/* iter.c - enumerate, zip, reversed, map and filter.
 *
 * Each is a lazy iterator holding owned references to the iterators (or the
 * sequence) it draws from; once exhausted it may drop them. enumerate and
 * zip hand out a result tuple and, when the caller has already released it
 * (refcnt back to 1, held only here), refill that same tuple for the next
 * step, so `for i, x in enumerate(xs)` allocates no tuple per iteration.
 */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/iterstate.h"
#include "core/objlock.h"
#include "core/refcount.h"
#include "objects/abstract.h"
#include "objects/dict.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/int.h"
#include "objects/iter.h"
#include "objects/list.h"
#include "objects/range.h"
#include "objects/str.h"
#include "objects/tuple.h"

static Object *iter_self(Object *self) { return NEWREF(self); }

/* Store item (stolen) at t[i], releasing the old item after. */
static void iter_tuple_replace(Object *t, size_t i, Object *item) {
    Object *old = tuple_item(t, i);
    tuple_set_steal(t, i, item);
    XDECREF(old);
}

/* The result tuple of size n to fill for this step: the cached one when
   nobody else holds it (its hash reset), else a fresh one that becomes the
   cache. Returns a new reference, with the old items still in place when
   reused (NULL items when fresh). In toy-ft with other threads running,
   always a fresh one, and the cache is left alone: two threads stepping
   one zip or enumerate could both take the cached tuple, or both replace
   it and release the old one twice. */
static Object *iter_result_tuple(Object **cache, size_t n) {
    if (!objlock_nocode_skips()) return tuple_new(n);
    Object *t = *cache;
    if (t && REFCNT_IS(t, 1)) {
        ((TupleObject *)t)->hash = -1;
        return NEWREF(t);
    }
    t = tuple_new(n);
    if (!t) return NULL;
    SETREF(cache, NEWREF(t));
    return t;
}

static int iter_no_kwargs(const char *name, Object *kwnames) {
    if (kwnames && tuple_size(kwnames) > 0) {
        error_set(&exc_TypeError, "%s() takes no keyword arguments", name);
        return -1;
    }
    return 0;
}

/* ---- enumerate ----------------------------------------------------------- */

typedef struct {
    Object base;
    Object *iter;     /* owned */
    int64_t index;    /* the next count, while it fits in int64 */
    Object *big_index; /* owned: the next count once it does not, else NULL */
    Object *result;   /* cached (index, item) tuple, or NULL */
} EnumerateObject;

/* enumerate(iterable, start=0), with CPython's messages for bad calls. */
static int enumerate_parse(Object *const *args, size_t nargs, Object *kwnames,
                           Object **iterable, Object **start) {
    size_t nkw = kwnames ? tuple_size(kwnames) : 0;
    if (nargs + nkw > 2) {
        error_set(&exc_TypeError, "enumerate() takes at most 2 arguments (%zu given)", nargs + nkw);
        return -1;
    }
    *iterable = nargs > 0 ? args[0] : NULL;
    *start = nargs > 1 ? args[1] : NULL;
    for (size_t i = 0; i < nkw; i++) {
        const char *name = str_data(tuple_item(kwnames, i));
        if (strcmp(name, "iterable") == 0 && nargs == 0) {
            *iterable = args[nargs + i];
        } else if (strcmp(name, "start") == 0 && nargs < 2) {
            *start = args[nargs + i];
        } else {
            error_set(&exc_TypeError, "'%s' is an invalid keyword argument for enumerate()", name);
            return -1;
        }
    }
    if (!*iterable) {
        if (nkw > 0)
            error_set(&exc_TypeError, "'%s' is an invalid keyword argument for enumerate()",
                      str_data(tuple_item(kwnames, 0)));
        else
            error_set(&exc_TypeError, "enumerate() missing required argument 'iterable'");
        return -1;
    }
    return 0;
}

static Object *enumerate_construct(Type *type, Object *const *args, size_t nargs,
                                   Object *kwnames) {
    (void)type;
    Object *iterable, *start_arg;
    if (enumerate_parse(args, nargs, kwnames, &iterable, &start_arg) < 0) return NULL;
    int64_t start = 0;
    Object *big_start = NULL; /* owned */
    if (start_arg && is_int(start_arg) && !int_fits_i64(start_arg)) {
        /* an exact int, as CPython's operator.index makes of a subclass */
        if (!(big_start = int_type.index(start_arg))) return NULL;
    } else if (start_arg && object_as_index(start_arg, &start, NULL) < 0) {
        return NULL;
    }
    Object *it = object_iter(iterable);
    EnumerateObject *e = it ? (EnumerateObject *)object_alloc(&enumerate_type,
                                                              sizeof(EnumerateObject)) : NULL;
    if (!e) {
        XDECREF(it);
        XDECREF(big_start);
        return NULL;
    }
    e->iter = it;
    e->index = start;
    e->big_index = big_start;
    return (Object *)e;
}

#ifndef TOY_FREE_THREADED
/* The count for this step (a new reference), moving it on. */
static inline Object *enumerate_count(EnumerateObject *e) {
    Object *index = e->big_index ? NEWREF(e->big_index) : int_from_i64(e->index);
    if (index && (e->big_index || __builtin_add_overflow(e->index, 1, &e->index))) {
        /* past int64: count with int objects from here on */
        Object *next = object_binary_op(index, int_small(1), BINOP_ADD);
        if (!next) CLEAR(&index);
        else SETREF(&e->big_index, next);
    }
    return index;
}
#else
/* toy-ft: threads may share the enumerate (core/iterstate.h). The count is
   claimed under the iterator's lock: the int64 one read and moved on at
   once, the int object one taken with a reference of its own. The sum of
   that object and 1 is made outside the lock and replaces the stored
   count under it, the old one released after unlocking. Two threads
   counting past 2**63 at once may then both get the same count, but
   neither releases the other's. */
static Object *enumerate_count(EnumerateObject *e) {
    objlock_lock_nocode(e);
    Object *big = e->big_index;
    int64_t i = e->index;
    bool fits = !big && i < INT64_MAX;
    if (fits) e->index = i + 1;
    else if (big) INCREF(big);
    objlock_unlock_nocode(e);
    if (fits) return int_from_i64(i);
    Object *index = big ? big : int_from_i64(i);
    if (!index) return NULL;
    Object *next = object_binary_op(index, int_small(1), BINOP_ADD);
    if (!next) {
        DECREF(index);
        return NULL;
    }
    objlock_lock_nocode(e);
    Object *old = e->big_index;
    e->big_index = next;
    objlock_unlock_nocode(e);
    XDECREF(old);
    return index;
}
#endif

static Object *enumerate_next(Object *self) {
    EnumerateObject *e = (EnumerateObject *)self;
    Object *item = object_next(e->iter);
    if (!item) return NULL;
    Object *index = enumerate_count(e);
    Object *t = index ? iter_result_tuple(&e->result, 2) : NULL;
    if (!t) {
        XDECREF(index);
        DECREF(item);
        return NULL;
    }
    iter_tuple_replace(t, 0, index);
    iter_tuple_replace(t, 1, item);
    return t;
}

static void enumerate_dealloc(Object *self) {
    EnumerateObject *e = (EnumerateObject *)self;
    DECREF(e->iter);
    XDECREF(e->result);
    XDECREF(e->big_index);
    object_free(self, sizeof(EnumerateObject));
}

static int enumerate_traverse(Object *self, VisitFunc visit, void *arg) {
    EnumerateObject *o = (EnumerateObject *)self;
    VISIT(o->iter);
    VISIT(o->big_index);
    VISIT(o->result);
    return 0;
}

Type enumerate_type = {
    TYPE_HEAD_INIT,
    .flags = TYPE_BASE_IN_CPYTHON | TYPE_GC,
    .name = "enumerate",
    .base_type = &object_type,
    .instance_size = sizeof(EnumerateObject),
    .dealloc = enumerate_dealloc,
    .hash = object_identity_hash,
    .construct = enumerate_construct,
    .iter = iter_self,
    .iternext = enumerate_next,
    .traverse = enumerate_traverse,
};

/* ---- zip ----------------------------------------------------------------- */

typedef struct {
    Object base;
    Object *iters;    /* tuple of iterators (owned) */
    Object *result;   /* cached result tuple, or NULL */
    bool strict;
} ZipObject;

/* Parse zip's only keyword, strict=. 0 / -1. */
static int zip_parse_strict(Object *const *args, size_t nargs, Object *kwnames, bool *strict) {
    size_t nkw = kwnames ? tuple_size(kwnames) : 0;
    for (size_t i = 0; i < nkw; i++) {
        const char *name = str_data(tuple_item(kwnames, i));
        if (strcmp(name, "strict") != 0) {
            error_set(&exc_TypeError, "'%s' is an invalid keyword argument for zip()", name);
            return -1;
        }
        int truth = object_truth(args[nargs + i]);
        if (truth < 0) return -1;
        *strict = truth;
    }
    return 0;
}

static Object *zip_construct(Type *type, Object *const *args, size_t nargs, Object *kwnames) {
    (void)type;
    bool strict = false;
    if (zip_parse_strict(args, nargs, kwnames, &strict) < 0) return NULL;
    Object *iters = tuple_new(nargs);
    if (!iters) return NULL;
    for (size_t i = 0; i < nargs; i++) {
        Object *it = object_iter(args[i]);
        if (!it) {
            for (size_t j = i; j < nargs; j++) tuple_set_steal(iters, j, NEWREF(None));
            DECREF(iters);
            return NULL;
        }
        tuple_set_steal(iters, i, it);
    }
    ZipObject *z = (ZipObject *)object_alloc(&zip_type, sizeof(ZipObject));
    if (!z) {
        DECREF(iters);
        return NULL;
    }
    z->iters = iters;
    z->strict = strict;
    return (Object *)z;
}

/* "argument 1" or "arguments 1-n" */
static void zip_argument_range(char *buf, size_t size, size_t n) {
    if (n == 1) snprintf(buf, size, "argument 1");
    else snprintf(buf, size, "arguments 1-%zu", n);
}

/* Iterator i ran out first (strict mode): check the others agree.
   Always returns NULL; raises ValueError when lengths differ. */
static Object *zip_strict_mismatch(ZipObject *z, size_t i) {
    char range[40];
    if (i > 0) {
        zip_argument_range(range, sizeof range, i);
        return error_set(&exc_ValueError, "zip() argument %zu is shorter than %s", i + 1, range);
    }
    for (size_t j = 1; j < tuple_size(z->iters); j++) {
        Object *extra = object_next(tuple_item(z->iters, j));
        if (extra) {
            DECREF(extra);
            zip_argument_range(range, sizeof range, j);
            return error_set(&exc_ValueError, "zip() argument %zu is longer than %s", j + 1, range);
        }
        if (error_occurred()) return NULL;
    }
    return NULL;
}

static Object *zip_next(Object *self) {
    ZipObject *z = (ZipObject *)self;
    size_t n = tuple_size(z->iters);
    if (n == 0) return NULL;
    Object *t = iter_result_tuple(&z->result, n);
    if (!t) return NULL;
    for (size_t i = 0; i < n; i++) {
        Object *item = object_next(tuple_item(z->iters, i));
        if (!item) {
            DECREF(t);
            if (z->strict && !error_occurred()) return zip_strict_mismatch(z, i);
            return NULL;
        }
        iter_tuple_replace(t, i, item);
    }
    return t;
}

static void zip_dealloc(Object *self) {
    ZipObject *z = (ZipObject *)self;
    DECREF(z->iters);
    XDECREF(z->result);
    object_free(self, sizeof(ZipObject));
}

static int zip_traverse(Object *self, VisitFunc visit, void *arg) {
    ZipObject *o = (ZipObject *)self;
    VISIT(o->iters);
    VISIT(o->result);
    return 0;
}

Type zip_type = {
    TYPE_HEAD_INIT,
    .flags = TYPE_BASE_IN_CPYTHON | TYPE_GC,
    .name = "zip",
    .base_type = &object_type,
    .instance_size = sizeof(ZipObject),
    .dealloc = zip_dealloc,
    .hash = object_identity_hash,
    .construct = zip_construct,
    .iter = iter_self,
    .iternext = zip_next,
    .traverse = zip_traverse,
};

/* ---- reversed ------------------------------------------------------------ */

/* The generic case: a sequence walked by index from len - 1 down to 0. */
typedef struct {
    Object base;
    Object *seq;      /* owned; NULL once exhausted (toy-ft: kept, core/iterstate.h) */
    size_t left;      /* items left: the next index is left - 1; ITER_SPENT
                         once exhausted in toy-ft */
} ReversedObject;

/* Does o support indexing (__getitem__), dicts excepted? */
static bool reversed_is_sequence(Object *o) {
    Type *t = TYPE(o);
    if (is_instance_of(o, &dict_type)) return false;
    Type *builtin = t->builtin_base ? t->builtin_base : t;
    if (builtin->getitem) return true; /* a built-in sequence, or a subclass of one */
    return (t->flags & TYPE_HEAP) && type_lookup_cstr(t, "__getitem__") != NULL;
}

static Object *reversed_construct(Type *type, Object *const *args, size_t nargs,
                                  Object *kwnames) {
    (void)type;
    if (iter_no_kwargs("reversed", kwnames) < 0) return NULL;
    if (nargs != 1) return error_set(&exc_TypeError, "reversed expected 1 argument, got %zu", nargs);
    Object *seq = args[0];
    /* A class's own __reversed__ first (a subclass of list may define it);
       None there means "not reversible", as in CPython. */
    Object *method = NULL;
    if (TYPE(seq)->flags & TYPE_HEAP) method = type_lookup_cstr(TYPE(seq), "__reversed__");
    if (!method) {
        if (is_list(seq)) return list_reversed_iter(seq);
        if (is_type(seq, &range_type)) return range_reversed(seq);
        Object *dict_iter = dict_reversed_iter(seq);
        if (dict_iter || error_occurred()) return dict_iter;
        method = type_lookup_cstr(TYPE(seq), "__reversed__"); /* deque's, say */
    }
    if (method && method != None) return object_call1(method, seq);
    if (method == None || !reversed_is_sequence(seq))
        return error_set(&exc_TypeError, "'%s' object is not reversible", TYPE_NAME(seq));
    int64_t n = object_len(seq);
    if (n < 0) return NULL;
    ReversedObject *r = (ReversedObject *)object_alloc(&reversed_type, sizeof(ReversedObject));
    if (!r) return NULL;
    r->seq = NEWREF(seq);
    r->left = (size_t)n;
    return (Object *)r;
}

static Object *reversed_next(Object *self) {
    ReversedObject *r = (ReversedObject *)self;
    size_t left = iter_index(&r->left); /* read once: threads may share r */
    if (left == 0 || iter_spent(r->seq, &left)) {
        if (r->seq) iter_exhaust(&r->seq, &r->left);
        return NULL;
    }
    if (is_tuple_exact(r->seq)) { /* immutable: the index is always valid */
        iter_set_index(&r->left, left - 1);
        return NEWREF(tuple_item(r->seq, left - 1));
    }
    Object *index = int_from_i64((int64_t)(left - 1));
    if (!index) return NULL;
    Object *item = object_getitem(r->seq, index);
    DECREF(index);
    if (item) {
        iter_set_index(&r->left, left - 1);
        return item;
    }
    if (error_matches(&exc_IndexError) || error_matches(&exc_StopIteration)) {
        error_clear();
        iter_exhaust(&r->seq, &r->left);
    }
    return NULL;
}

static void reversed_dealloc(Object *self) {
    XDECREF(((ReversedObject *)self)->seq);
    object_free(self, sizeof(ReversedObject));
}

static int reversed_traverse(Object *self, VisitFunc visit, void *arg) {
    ReversedObject *o = (ReversedObject *)self;
    VISIT(o->seq);
    return 0;
}

Type reversed_type = {
    TYPE_HEAD_INIT,
    .flags = TYPE_BASE_IN_CPYTHON | TYPE_GC,
    .name = "reversed",
    .base_type = &object_type,
    .instance_size = sizeof(ReversedObject),
    .dealloc = reversed_dealloc,
    .hash = object_identity_hash,
    .construct = reversed_construct,
    .iter = iter_self,
    .iternext = reversed_next,
    .traverse = reversed_traverse,
};

/* ---- map ----------------------------------------------------------------- */

typedef struct {
    Object base;
    Object *func;     /* owned */
    Object *iters;    /* tuple of iterators (owned) */
} MapObject;

/* A tuple of iter(x) for each x in args[0..n). */
static Object *iter_all(Object *const *args, size_t n) {
    Object *iters = tuple_new(n);
    if (!iters) return NULL;
    for (size_t i = 0; i < n; i++) {
        Object *it = object_iter(args[i]);
        if (!it) {
            for (size_t j = i; j < n; j++) tuple_set_steal(iters, j, NEWREF(None));
            DECREF(iters);
            return NULL;
        }
        tuple_set_steal(iters, i, it);
    }
    return iters;
}

static Object *map_construct(Type *type, Object *const *args, size_t nargs, Object *kwnames) {
    (void)type;
    if (iter_no_kwargs("map", kwnames) < 0) return NULL;
    if (nargs < 2) return error_set(&exc_TypeError, "map() must have at least two arguments.");
    Object *iters = iter_all(args + 1, nargs - 1);
    if (!iters) return NULL;
    MapObject *m = (MapObject *)object_alloc(&map_type, sizeof(MapObject));
    if (!m) {
        DECREF(iters);
        return NULL;
    }
    m->func = NEWREF(args[0]);
    m->iters = iters;
    return (Object *)m;
}

static Object *map_next(Object *self) {
    MapObject *m = (MapObject *)self;
    size_t n = tuple_size(m->iters);
    Object *small[8];
    Object **argv = n <= 8 ? small : mem_alloc(n * sizeof(Object *));
    if (!argv) return error_no_memory();
    size_t got = 0;
    Object *result = NULL;
    while (got < n) {
        Object *item = object_next(tuple_item(m->iters, got));
        if (!item) break;
        argv[got++] = item;
    }
    if (got == n) result = object_call(m->func, argv, n, NULL);
    for (size_t i = 0; i < got; i++) DECREF(argv[i]);
    if (argv != small) mem_free(argv, n * sizeof(Object *));
    return result;
}

static void map_dealloc(Object *self) {
    MapObject *m = (MapObject *)self;
    DECREF(m->func);
    DECREF(m->iters);
    object_free(self, sizeof(MapObject));
}

static int map_traverse(Object *self, VisitFunc visit, void *arg) {
    MapObject *o = (MapObject *)self;
    VISIT(o->func);
    VISIT(o->iters);
    return 0;
}

Type map_type = {
    TYPE_HEAD_INIT,
    .flags = TYPE_BASE_IN_CPYTHON | TYPE_GC,
    .name = "map",
    .base_type = &object_type,
    .instance_size = sizeof(MapObject),
    .dealloc = map_dealloc,
    .hash = object_identity_hash,
    .construct = map_construct,
    .iter = iter_self,
    .iternext = map_next,
    .traverse = map_traverse,
};

/* ---- filter -------------------------------------------------------------- */

typedef struct {
    Object base;
    Object *func;     /* owned; None keeps the true items */
    Object *iter;     /* owned */
} FilterObject;

static Object *filter_construct(Type *type, Object *const *args, size_t nargs,
                                Object *kwnames) {
    (void)type;
    if (iter_no_kwargs("filter", kwnames) < 0) return NULL;
    if (nargs != 2) return error_set(&exc_TypeError, "filter expected 2 arguments, got %zu", nargs);
    Object *it = object_iter(args[1]);
    if (!it) return NULL;
    FilterObject *f = (FilterObject *)object_alloc(&filter_type, sizeof(FilterObject));
    if (!f) {
        DECREF(it);
        return NULL;
    }
    f->func = NEWREF(args[0]);
    f->iter = it;
    return (Object *)f;
}

static Object *filter_next(Object *self) {
    FilterObject *f = (FilterObject *)self;
    for (;;) {
        Object *item = object_next(f->iter);
        if (!item) return NULL;
        int keep;
        if (f->func == None) {
            keep = object_truth(item);
        } else {
            Object *r = object_call1(f->func, item);
            keep = r ? object_truth(r) : -1;
            XDECREF(r);
        }
        if (keep > 0) return item;
        DECREF(item);
        if (keep < 0) return NULL;
    }
}

static void filter_dealloc(Object *self) {
    FilterObject *f = (FilterObject *)self;
    DECREF(f->func);
    DECREF(f->iter);
    object_free(self, sizeof(FilterObject));
}

static int filter_traverse(Object *self, VisitFunc visit, void *arg) {
    FilterObject *o = (FilterObject *)self;
    VISIT(o->func);
    VISIT(o->iter);
    return 0;
}

Type filter_type = {
    TYPE_HEAD_INIT,
    .flags = TYPE_BASE_IN_CPYTHON | TYPE_GC,
    .name = "filter",
    .base_type = &object_type,
    .instance_size = sizeof(FilterObject),
    .dealloc = filter_dealloc,
    .hash = object_identity_hash,
    .construct = filter_construct,
    .iter = iter_self,
    .iternext = filter_next,
    .traverse = filter_traverse,
};

int iter_setstate_index(const char *qualname, Object *const *args, size_t nargs,
                        Object *kwnames, int64_t *index) {
    if (args_check(qualname, nargs, kwnames, 1, 1) < 0) return -1;
    if (!is_int(args[0])) {
        error_set(&exc_TypeError, "an integer is required");
        return -1;
    }
    return int_as_i64(args[0], index);
}
