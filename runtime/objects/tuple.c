/* tuple.c - the tuple type: immutable sequences with their items inline.
 *
 * Invariants:
 *   - A TupleObject of size n is one block of sizeof(TupleObject) + n
 *     pointers; every item is an owned, non-NULL reference once the tuple is
 *     visible to other code (tuple_new hands out NULL slots to be filled).
 *   - The empty tuple is a single static, immortal object: tuple_new(0)
 *     always returns it, so `() is ()` holds and empty tuples cost nothing.
 *   - `hash` caches the hash once it has been computed successfully (-1
 *     until then). Items are immutable references, so it cannot go stale
 *     unless an item's own hash changes, which Python forbids anyway.
 *   - Small tuples are not kept on a free list here: object_alloc already
 *     caches blocks per thread, which stays correct when the GIL is off.
 *
 * The hash is CPython's xxHash-style tuple hash, so hash((1, 2)) gives the
 * same number as in Python.
 */
#include <stdarg.h>
#include <string.h>

#include "core/alloc.h"
#include "core/iterstate.h"
#include "core/refcount.h"
#include "objects/abstract.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/gc.h"
#include "objects/int.h"
#include "objects/list.h"
#include "objects/range.h"
#include "objects/str.h"
#include "objects/tuple.h"
#include "objects/iter.h"

static TupleObject empty_tuple = {
    .base = STATIC_OBJECT_INIT(tuple_type),
    .hash = -1,
    .size = 0,
};

static size_t tuple_alloc_size(size_t n) {
    return sizeof(TupleObject) + n * sizeof(Object *);
}

/* ---- Creation ------------------------------------------------------------ */

Object *tuple_new(size_t n) {
    if (n == 0) return NEWREF_IMMORTAL(&empty_tuple);
    if (n > (SIZE_MAX - sizeof(TupleObject)) / sizeof(Object *)) return error_no_memory();
    TupleObject *t = (TupleObject *)object_alloc(&tuple_type, tuple_alloc_size(n));
    if (!t) return NULL;
    t->hash = -1;
    t->size = n;
    return (Object *)t;
}

Object *tuple_from_array(Object *const *items, size_t n) {
    Object *t = tuple_new(n);
    if (!t) return NULL;
    for (size_t i = 0; i < n; i++) tuple_set_steal(t, i, NEWREF(items[i]));
    return t;
}

Object *tuple_pack(size_t n, ...) {
    Object *t = tuple_new(n);
    if (!t) return NULL;
    va_list ap;
    va_start(ap, n);
    for (size_t i = 0; i < n; i++) tuple_set_steal(t, i, NEWREF(va_arg(ap, Object *)));
    va_end(ap);
    return t;
}

Object *tuple_from_iterable(Object *iterable) {
    /* a subclass may override __iter__, and the result must be a tuple */
    if (is_tuple_exact(iterable)) return NEWREF(iterable);
    if (is_list_exact(iterable)) return list_as_tuple(iterable);
    Object *list = list_from_iterable(iterable);
    if (!list) return NULL;
    Object *t = list_as_tuple(list);
    DECREF(list);
    return t;
}

static void tuple_dealloc(Object *self) {
    if (!list_trashcan_enter(self)) return; /* deeply nested: freed later */
    TupleObject *t = (TupleObject *)self;
    size_t n = t->size;
    /* last item first, as CPython (and list_dealloc): the order __del__
       methods of the items run in */
    for (size_t i = n; i-- > 0;) XDECREF(t->items[i]);
    object_free(self, tuple_alloc_size(n));
    list_trashcan_leave();
}

/* An instance of type (a user subclass of tuple) holding the items of
   value; consumes value. */
static Object *tuple_subtype_from(Type *type, Object *value) {
    if (!value) return NULL;
    size_t n = tuple_size(value);
    TupleObject *t = (TupleObject *)object_alloc(type, tuple_alloc_size(n));
    if (t) {
        t->hash = -1;
        t->size = n;
        for (size_t i = 0; i < n; i++) t->items[i] = NEWREF(tuple_item(value, i));
    }
    DECREF(value);
    return (Object *)t;
}

/* tuple() / tuple(iterable), or cls(...) for a subclass. */
static Object *tuple_construct(Type *type, Object *const *args, size_t nargs, Object *kwnames) {
    if (kwnames && tuple_size(kwnames) > 0)
        return error_set(&exc_TypeError, "tuple() takes no keyword arguments");
    if (nargs > 1)
        return error_set(&exc_TypeError, "tuple expected at most 1 argument, got %zu", nargs);
    Object *value = nargs == 0 ? tuple_new(0) : tuple_from_iterable(args[0]);
    return type == &tuple_type ? value : tuple_subtype_from(type, value);
}

/* ---- repr ---------------------------------------------------------------- */

static Object *tuple_repr(Object *self) {
    size_t n = tuple_size(self);
    if (n == 0) return str_from_cstr("()");
    int seen = list_repr_enter(self);
    if (seen != 0) return seen > 0 ? str_from_cstr("(...)") : NULL;

    StrBuilder b;
    str_builder_init(&b);
    str_builder_add_char(&b, '(');
    for (size_t i = 0; i < n; i++) {
        if (i > 0) str_builder_add(&b, ", ", 2);
        Object *r = object_repr(tuple_item(self, i));
        if (!r) {
            str_builder_discard(&b);
            list_repr_leave(self);
            return NULL;
        }
        str_builder_add_str(&b, r);
        DECREF(r);
    }
    /* A 1-tuple needs its trailing comma to read back as a tuple. */
    if (n == 1) str_builder_add_char(&b, ',');
    str_builder_add_char(&b, ')');
    list_repr_leave(self);
    return str_builder_finish(&b);
}

/* ---- hash ---------------------------------------------------------------- */

#define XXPRIME_1 11400714785074694791ULL
#define XXPRIME_2 14029467366897019727ULL
#define XXPRIME_5 2870177450012600261ULL

static uint64_t rotate_left_31(uint64_t x) { return (x << 31) | (x >> 33); }

static int64_t tuple_hash(Object *self) {
    TupleObject *t = (TupleObject *)self;
    int64_t cached = HASH_CACHE_LOAD(t->hash);
    if (cached != -1) return cached;
    /* a tuple nested a million deep must not exhaust the C stack */
    if (recursion_enter(" while hashing a tuple") < 0) return -1;
    uint64_t acc = XXPRIME_5;
    for (size_t i = 0; i < t->size; i++) {
        int64_t lane = object_hash(t->items[i]);
        if (lane == -1) {
            recursion_leave();
            return -1;
        }
        acc += (uint64_t)lane * XXPRIME_2;
        acc = rotate_left_31(acc);
        acc *= XXPRIME_1;
    }
    recursion_leave();
    acc += (uint64_t)t->size ^ (XXPRIME_5 ^ 3527539ULL);
    int64_t h = (int64_t)acc;
    if (h == -1) h = 1546275796;  /* -1 is reserved for errors */
    HASH_CACHE_STORE(t->hash, h); /* another thread may store the same value */
    return h;
}

/* ---- Comparison ---------------------------------------------------------- */

static Object *const *tuple_items_of(Object *self, size_t *size) {
    *size = tuple_size(self);
    return tuple_items(self);
}

static Object *tuple_richcompare(Object *a, Object *b, int op) {
    return object_compare_sequences(a, b, (CompareOp)op, &tuple_type, tuple_items_of);
}

/* ---- Sequence slots ------------------------------------------------------ */

static int64_t tuple_len(Object *self) { return (int64_t)tuple_size(self); }

Object *tuple_get_range(Object *t, int64_t start, int64_t stop) {
    size_t n = (size_t)(stop - start);
    if (n == tuple_size(t) && is_tuple_exact(t)) return NEWREF(t);
    Object *r = tuple_new(n);
    if (!r) return NULL;
    for (size_t i = 0; i < n; i++) tuple_set_steal(r, i, NEWREF(tuple_item(t, (size_t)start + i)));
    return r;
}

static Object *tuple_slice(Object *self, Object *slice) {
    int64_t start, stop, step, n;
    if (slice_indices(slice, (int64_t)tuple_size(self), &start, &stop, &step, &n) < 0)
        return NULL;
    if (step == 1) return tuple_get_range(self, start, start + n);
    Object *t = tuple_new((size_t)n);
    if (!t) return NULL;
    for (int64_t i = 0; i < n; i++) {
        int64_t j = start + i * step; /* never past the last item: no overflow */
        tuple_set_steal(t, (size_t)i, NEWREF(tuple_item(self, (size_t)j)));
    }
    return t;
}

static Object *tuple_getitem(Object *self, Object *key) {
    int64_t i;
    if (is_int(key) && int_is_small(key)) {
        i = int_value(key);
    } else if (is_slice(key)) {
        return tuple_slice(self, key);
    } else if (object_as_index(key, &i, "tuple") < 0) {
        return NULL;
    }
    int64_t n = (int64_t)tuple_size(self);
    if (i < 0) i += n;
    if (i < 0 || i >= n) return error_set(&exc_IndexError, "tuple index out of range");
    return NEWREF(tuple_item(self, (size_t)i));
}

static int tuple_contains(Object *self, Object *item) {
    size_t n = tuple_size(self);
    for (size_t i = 0; i < n; i++) {
        int eq = object_equal(tuple_item(self, i), item);
        if (eq != 0) return eq;
    }
    return 0;
}

/* tuple + tuple. Other operands get NotImplemented: abstract.c then tries
   the other operand and raises CPython's "can only concatenate tuple (not
   "int") to tuple". */
static Object *tuple_add(Object *a, Object *b) {
    if (!is_instance_of(a, &tuple_type) || !is_instance_of(b, &tuple_type))
        return NEWREF(NotImplemented);
    size_t na = tuple_size(a), nb = tuple_size(b);
    if (nb == 0 && is_tuple_exact(a)) return NEWREF(a);
    if (na == 0 && is_tuple_exact(b)) return NEWREF(b);
    Object *t = tuple_new(na + nb);
    if (!t) return NULL;
    for (size_t i = 0; i < na; i++) tuple_set_steal(t, i, NEWREF(tuple_item(a, i)));
    for (size_t i = 0; i < nb; i++) tuple_set_steal(t, na + i, NEWREF(tuple_item(b, i)));
    return t;
}

/* tuple * n and n * tuple, for an int n. A user class's instance gets
   NotImplemented (abstract.c handles its __index__ or __rmul__, or raises);
   other built-in types fail here, so the message names the right operand. */
static Object *tuple_mul(Object *a, Object *b) {
    Object *seq = is_instance_of(a, &tuple_type) ? a : b;
    Object *count = seq == a ? b : a;
    if (!is_int_exact(count)) {
        if (TYPE(count)->flags & TYPE_HEAP) return NEWREF(NotImplemented);
        return error_set(&exc_TypeError, "can't multiply sequence by non-int of type '%s'",
                         TYPE_NAME(count));
    }
    if (!int_fits_i64(count)) return int_count_too_big();
    int64_t reps = int_value(count);
    size_t n = tuple_size(seq);
    if (reps <= 0 || n == 0) return tuple_new(0);
    if (reps == 1 && is_tuple_exact(seq)) return NEWREF(seq);
    if ((uint64_t)reps > SIZE_MAX / sizeof(Object *) / n) return error_no_memory();
    Object *t = tuple_new(n * (size_t)reps);
    if (!t) return NULL;
    Object **dst = tuple_items(t);
    for (int64_t r = 0; r < reps; r++)
        for (size_t i = 0; i < n; i++) *dst++ = NEWREF(tuple_item(seq, i));
    return t;
}

/* ---- Iterator ------------------------------------------------------------ */

typedef struct {
    Object base;
    Object *tuple;  /* owned; NULL once exhausted (toy-ft: kept, core/iterstate.h) */
    size_t index;   /* the next item; ITER_SPENT once exhausted in toy-ft */
} TupleIterObject;

static Object *tuple_iter(Object *self) {
    TupleIterObject *it =
        (TupleIterObject *)object_alloc(&tuple_iterator_type, sizeof(TupleIterObject));
    if (!it) return NULL;
    it->tuple = NEWREF(self);
    return (Object *)it;
}

static Object *tuple_iter_next(Object *self) {
    TupleIterObject *it = (TupleIterObject *)self;
    if (!it->tuple) return NULL;
    size_t i = iter_index(&it->index);
    if (i < tuple_size(it->tuple)) {
        iter_set_index(&it->index, i + 1);
        return NEWREF(tuple_item(it->tuple, i));
    }
    iter_exhaust(&it->tuple, &it->index);
    return NULL;
}

static Object *tuple_iter_self(Object *self) { return NEWREF(self); }

static Object *tuple_iter_length_hint(Object *self, Object *const *args, size_t nargs,
                                      Object *kwnames) {
    (void)args;
    if (args_check("tuple_iterator.__length_hint__", nargs, kwnames, 0, 0) < 0) return NULL;
    TupleIterObject *it = (TupleIterObject *)self;
    size_t n = it->tuple ? tuple_size(it->tuple) : 0, i = iter_index(&it->index);
    return int_from_i64((int64_t)(i < n ? n - i : 0));
}

/* __setstate__(index): where the iteration goes on, clamped to the tuple. */
static Object *tuple_iter_setstate(Object *self, Object *const *args, size_t nargs,
                                   Object *kwnames) {
    TupleIterObject *it = (TupleIterObject *)self;
    int64_t i;
    if (iter_setstate_index("tuple_iterator.__setstate__", args, nargs, kwnames, &i) < 0)
        return NULL;
    if (iter_spent(it->tuple, &it->index)) return NEWREF(None);
    int64_t n = (int64_t)tuple_size(it->tuple);
    iter_set_index(&it->index, (size_t)(i < 0 ? 0 : i > n ? n : i));
    return NEWREF(None);
}

static const MethodDef tuple_iter_methods[] = {
    {"__length_hint__", tuple_iter_length_hint, "Private method returning an estimate of len(list(it))."},
    {"__setstate__", tuple_iter_setstate, "Set state information for unpickling."},
    {NULL, NULL, NULL},
};

static void tuple_iter_dealloc(Object *self) {
    XDECREF(((TupleIterObject *)self)->tuple);
    object_free(self, sizeof(TupleIterObject));
}

static int tuple_iter_traverse(Object *self, VisitFunc visit, void *arg) {
    VISIT(((TupleIterObject *)self)->tuple);
    return 0;
}

Type tuple_iterator_type = {
    TYPE_HEAD_INIT,
    .name = "tuple_iterator",
    .methods = tuple_iter_methods,
    .base_type = &object_type,
    .flags = TYPE_GC,
    .instance_size = sizeof(TupleIterObject),
    .dealloc = tuple_iter_dealloc,
    .hash = object_identity_hash,
    .iter = tuple_iter_self,
    .iternext = tuple_iter_next,
    .traverse = tuple_iter_traverse,
};

/* ---- Methods ------------------------------------------------------------- */

static Object *tuple_count_method(Object *self, Object *const *args, size_t nargs,
                                  Object *kwnames) {
    if (kwnames && tuple_size(kwnames) > 0)
        return error_set(&exc_TypeError, "tuple.count() takes no keyword arguments");
    if (nargs != 1)
        return error_set(&exc_TypeError, "tuple.count() takes exactly one argument (%zu given)",
                         nargs);
    int64_t count = 0;
    for (size_t i = 0; i < tuple_size(self); i++) {
        int eq = object_equal(tuple_item(self, i), args[0]);
        if (eq < 0) return NULL;
        count += eq;
    }
    return int_from_i64(count);
}

static Object *tuple_index_method(Object *self, Object *const *args, size_t nargs,
                                  Object *kwnames) {
    if (args_check("tuple.index", nargs, kwnames, 1, 3) < 0) return NULL;
    int64_t n = (int64_t)tuple_size(self), start = 0, stop = n;
    if (nargs > 1 && slice_clamp_index(args[1], n, &start) < 0) return NULL;
    if (nargs > 2 && slice_clamp_index(args[2], n, &stop) < 0) return NULL;
    for (int64_t i = start; i < stop; i++) {
        int eq = object_equal(tuple_item(self, (size_t)i), args[0]);
        if (eq < 0) return NULL;
        if (eq) return int_from_i64(i);
    }
    return error_set(&exc_ValueError, "tuple.index(x): x not in tuple");
}

/* (plain tuple with self's items,): what copy passes to tuple.__new__. */
static Object *tuple_getnewargs(Object *self, Object *const *args, size_t nargs,
                                Object *kwnames) {
    (void)args;
    if (args_check("tuple.__getnewargs__", nargs, kwnames, 0, 0) < 0) return NULL;
    Object *v = is_tuple_exact(self) ? NEWREF(self)
                                     : tuple_from_array(((TupleObject *)self)->items, tuple_size(self));
    Object *t = v ? tuple_pack(1, v) : NULL;
    XDECREF(v);
    return t;
}

static const MethodDef tuple_methods[] = {
    {"__getnewargs__", tuple_getnewargs, NULL},
    {"count", tuple_count_method, "Return number of occurrences of value."},
    {"index", tuple_index_method, "Return first index of value."},
    {NULL, NULL, NULL},
};

/* ---- The cycle collector's slots ------------------------------------------ */

/* Tuples are immutable: no clear slot. A cycle through a tuple always runs
   through a mutable container too, whose clear breaks it. */
int tuple_traverse(Object *self, VisitFunc visit, void *arg) {
    TupleObject *t = (TupleObject *)self;
    for (size_t i = t->size; i-- > 0;) VISIT(t->items[i]); /* last first, as CPython */
    return 0;
}

/* A tuple still being filled (a NULL item) is left tracked. */
bool tuple_may_untrack(Object *self) {
    TupleObject *t = (TupleObject *)self;
    for (size_t i = 0; i < t->size; i++)
        if (!t->items[i] || gc_may_be_tracked(t->items[i])) return false;
    return true;
}

/* The empty tuple is static: no collector head. */
bool tuple_is_gc(Object *self) { return self != (Object *)&empty_tuple; }

Type tuple_type = {
    TYPE_HEAD_INIT,
    .name = "tuple",
    .base_type = &object_type,
    .flags = TYPE_GC | TYPE_BASETYPE,
    .instance_size = sizeof(TupleObject),
    .methods = tuple_methods,
    .dealloc = tuple_dealloc,
    .repr = tuple_repr,
    .hash = tuple_hash,
    .richcompare = tuple_richcompare,
    .construct = tuple_construct,
    .iter = tuple_iter,
    .len = tuple_len,
    .getitem = tuple_getitem,
    .contains = tuple_contains,
    .binary = {[BINOP_ADD] = tuple_add, [BINOP_MUL] = tuple_mul},
    .traverse = tuple_traverse,
    .is_gc = tuple_is_gc,
};
