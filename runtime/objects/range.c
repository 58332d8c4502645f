/* range.c - range objects and their iterator, slice objects, and the
 * generic sequence iterator.
 *
 * range: an immutable arithmetic progression (start, stop, step) with its
 * length computed once at creation. Two representations (range.h): int64
 * fields, and a tuple of ints for a range whose bounds, step or length do
 * not fit (range(2**64), range(-2**63, 2**63)). With the int64 fields:
 * step != 0, 0 <= length, and every element start + i*step (0 <= i <
 * length) fits in an int64 and is a small int (int.h: never one of the
 * values only a big int holds, so the eval loop may store one into a small
 * int's block; as every element lies between start and stop, it is enough
 * that a non-empty range's start is small, else it is held as ints);
 * positions are computed in uint64 arithmetic, which wraps instead of
 * overflowing, and converted back only for values known to be in range.
 * Held as ints, every operation goes through the generic int operations
 * (which run no Toy code on exact ints), and iterating gives a
 * longrange_iterator, as CPython's does.
 *
 * slice: a (start, stop, step) triple of objects (None when absent);
 * slice_indices resolves one against a sequence length with Python's rules.
 *
 * seq_iter: iterates anything with __getitem__ by calling it with 0, 1,
 * 2, ... until IndexError, as Python's fallback iteration protocol does.
 */
#include <string.h>

#include "core/iterstate.h"
#include "core/objlock.h"
#include "core/refcount.h"
#include "objects/abstract.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/int.h"
#include "objects/list.h"
#include "objects/range.h"
#include "objects/str.h"
#include "objects/tuple.h"

#define AS_RANGE(o) ((RangeObject *)(o))

/* |step| as an unsigned number (step may be INT64_MIN). */
static uint64_t range_abs_step(int64_t step) {
    return step > 0 ? (uint64_t)step : (uint64_t)0 - (uint64_t)step;
}

/* start + i*step, for 0 <= i < length (in range, so it fits). */
static int64_t range_at(RangeObject *r, int64_t i) {
    return (int64_t)((uint64_t)r->start + (uint64_t)i * (uint64_t)r->step);
}

/* ---- range held as ints ------------------------------------------------------ */

enum { RANGE_START, RANGE_STOP, RANGE_STEP, RANGE_LENGTH }; /* the parts of range.big */

static Object *range_new_wide(int64_t start, int64_t stop, int64_t step);

/* A cached small int, borrowed. */
static Object *small_int(int64_t v) { return (Object *)&small_ints[v - SMALL_INT_MIN]; }

/* The sign of an exact int: a big one's value field gives it (int.h). */
static int int_sign(Object *o) { return int_value(o) > 0 ? 1 : int_value(o) < 0 ? -1 : 0; }

/* a < b for exact ints, which cannot fail. */
static bool int_less(Object *a, Object *b) { return object_compare_bool(a, b, CMP_LT) > 0; }

/* a OP b for ints, a stolen (NULL passes through), b borrowed: a chain of
   operations reads as one expression and releases as it goes. */
static Object *int_op_steal(Object *a, Object *b, BinaryOp op) {
    if (!a) return NULL;
    Object *r = object_binary_op(a, b, op);
    DECREF(a);
    return r;
}

/* Part i (RANGE_START, ...) of r as a new int, whichever representation. */
static Object *range_part(RangeObject *r, int i) {
    if (r->big) return NEWREF(tuple_item(r->big, (size_t)i));
    int64_t parts[4] = {r->start, r->stop, r->step, r->length};
    return int_from_i64(parts[i]);
}

/* Part i of a range held as ints, borrowed. */
static Object *big_part(RangeObject *r, int i) { return tuple_item(r->big, (size_t)i); }

/* The length of range(start, stop, step), step != 0: when not empty,
   (stop - start - sign(step)) // step + 1, which rounds towards the
   direction of the step. */
static Object *range_ints_length(Object *start, Object *stop, Object *step) {
    int sign = int_sign(step);
    if (!int_less(sign > 0 ? start : stop, sign > 0 ? stop : start)) return int_from_i64(0);
    Object *n = int_op_steal(object_binary_op(stop, start, BINOP_SUB), small_int(sign), BINOP_SUB);
    return int_op_steal(int_op_steal(n, step, BINOP_FLOORDIV), small_int(1), BINOP_ADD);
}

/* range(start, stop, step) for exact ints (borrowed): the int64 fields
   when all four parts fit, else the ints themselves. */
static Object *range_from_ints(Object *start, Object *stop, Object *step) {
    if (int_sign(step) == 0) return error_set(&exc_ValueError, "range() arg 3 must not be zero");
    Object *length = range_ints_length(start, stop, step);
    if (!length) return NULL;
    if (int_is_small(start) && int_fits_i64(stop) && int_fits_i64(step) && int_fits_i64(length)) {
        DECREF(length);
        return range_new(int_value(start), int_value(stop), int_value(step));
    }
    Object *parts = tuple_pack(4, start, stop, step, length);
    DECREF(length);
    RangeObject *r = parts ? (RangeObject *)object_alloc(&range_type, sizeof(RangeObject)) : NULL;
    if (!r) {
        XDECREF(parts);
        return NULL;
    }
    r->start = r->stop = r->length = 0;
    r->step = 1;
    r->big = parts;
    return (Object *)r;
}

/* An int64 range whose length passes INT64_MAX (range(-2**63, 2**63 - 1)). */
static Object *range_new_wide(int64_t start, int64_t stop, int64_t step) {
    Object *v[3] = {int_from_i64(start), int_from_i64(stop), int_from_i64(step)};
    Object *r = v[0] && v[1] && v[2] ? range_from_ints(v[0], v[1], v[2]) : NULL;
    for (int i = 0; i < 3; i++) XDECREF(v[i]);
    return r;
}

/* o as an exact int: an int's own value (a subclass's __index__ is not
   asked, as CPython's PyNumber_Index does not ask it), else __index__. */
static Object *range_index(Object *o) {
    if (!is_int(o)) return object_index(o);
    if (int_fits_i64(o)) return int_from_i64(int_value(o));
    const uint32_t *digits;
    uint32_t buf[2];
    bool negative;
    size_t n = int_digits_view(o, &digits, buf, &negative);
    return int_from_digits(digits, n, negative);
}

/* range(...) with an argument that is not a small exact int: each one
   through __index__, in order, as CPython converts them. */
static Object *range_construct_ints(Object *const *args, size_t nargs) {
    Object *v[3] = {NULL, NULL, NULL};
    Object *r = NULL;
    size_t i = 0;
    while (i < nargs && (v[i] = range_index(args[i])) != NULL) i++;
    if (i == nargs && nargs == 1) r = range_from_ints(small_int(0), v[0], small_int(1));
    if (i == nargs && nargs > 1) r = range_from_ints(v[0], v[1], nargs == 3 ? v[2] : small_int(1));
    for (i = 0; i < 3; i++) XDECREF(v[i]);
    return r;
}

/* start + i*step of r for the int i (borrowed): a new int. */
static Object *range_at_int(RangeObject *r, Object *i) {
    Object *start = range_part(r, RANGE_START), *step = range_part(r, RANGE_STEP);
    Object *v = start && step ? int_op_steal(object_binary_op(i, step, BINOP_MUL), start, BINOP_ADD)
                              : NULL;
    XDECREF(start);
    XDECREF(step);
    return v;
}

/* Has o an __index__ (an int, or a class that defines one)? */
static bool has_index(Object *o) {
    return is_int(o) || TYPE(o)->index || type_lookup_cstr(TYPE(o), "__index__");
}

/* r[key] for a key that is not a small int, or any key of a range held
   as ints. */
static Object *range_item_int(RangeObject *r, Object *key) {
    if (!has_index(key))
        return error_set(&exc_TypeError, "range indices must be integers or slices, not %s",
                         TYPE_NAME(key));
    Object *i = range_index(key);
    Object *length = i ? range_part(r, RANGE_LENGTH) : NULL;
    if (length && int_sign(i) < 0) i = int_op_steal(i, length, BINOP_ADD);
    Object *item = NULL;
    if (length && i && (int_sign(i) < 0 || !int_less(i, length)))
        error_set(&exc_IndexError, "range object index out of range");
    else if (length && i)
        item = range_at_int(r, i);
    XDECREF(i);
    XDECREF(length);
    return item;
}

/* A start or stop of a slice as an int (new): dflt (borrowed) for None,
   else counted from the end when negative and clamped to [lower, upper],
   as slice.indices() does. */
static Object *slice_bound_int(Object *c, Object *dflt, Object *length, Object *lower,
                               Object *upper) {
    if (c == None) return NEWREF(dflt);
    if (!has_index(c))
        return error_set(&exc_TypeError,
                         "slice indices must be integers or None or have an __index__ method");
    Object *v = range_index(c);
    if (v && int_sign(v) < 0) {
        v = int_op_steal(v, length, BINOP_ADD);
        if (v && int_less(v, lower)) SETREF(&v, NEWREF(lower));
    } else if (v && int_less(upper, v)) {
        SETREF(&v, NEWREF(upper));
    }
    return v;
}

/* r[start:stop:step] once the slice is resolved to ints (borrowed):
   range(r[start], r[stop], r.step * step), where r[i] may lie outside r. */
static Object *range_slice_of(RangeObject *r, Object *start, Object *stop, Object *step) {
    Object *rstep = range_part(r, RANGE_STEP);
    Object *s = rstep ? range_at_int(r, start) : NULL;
    Object *e = s ? range_at_int(r, stop) : NULL;
    Object *st = e ? object_binary_op(rstep, step, BINOP_MUL) : NULL;
    Object *result = st ? range_from_ints(s, e, st) : NULL;
    XDECREF(rstep);
    XDECREF(s);
    XDECREF(e);
    XDECREF(st);
    return result;
}

/* r[slice] with ints: for a range held as ints, or a slice with a big
   int or an __index__ part, or a result that leaves int64. */
static Object *range_slice_ints(RangeObject *r, SliceObject *slice) {
    Object *step = slice->step == None ? NEWREF(small_int(1))
                   : has_index(slice->step) ? range_index(slice->step)
                                            : error_set(&exc_TypeError, "slice indices must be "
                                                        "integers or None or have an __index__ method");
    if (!step) return NULL;
    if (int_sign(step) == 0) {
        DECREF(step);
        return error_set(&exc_ValueError, "slice step cannot be zero");
    }
    bool back = int_sign(step) < 0;
    Object *length = range_part(r, RANGE_LENGTH);
    Object *lower = small_int(back ? -1 : 0);
    Object *upper = !length ? NULL
                    : back  ? object_binary_op(length, small_int(1), BINOP_SUB)
                            : NEWREF(length);
    Object *start = upper ? slice_bound_int(slice->start, back ? upper : lower, length, lower, upper)
                          : NULL;
    Object *stop = start ? slice_bound_int(slice->stop, back ? lower : upper, length, lower, upper)
                         : NULL;
    Object *result = stop ? range_slice_of(r, start, stop, step) : NULL;
    Object *owned[5] = {step, length, upper, start, stop};
    for (int i = 0; i < 5; i++) XDECREF(owned[i]);
    return result;
}

/* The index of the exact int v in r (held as ints) as a new int, or None
   when v is not an element. */
static Object *range_find_int(RangeObject *r, Object *v) {
    Object *start = big_part(r, RANGE_START), *stop = big_part(r, RANGE_STOP);
    Object *step = big_part(r, RANGE_STEP);
    bool inside = int_sign(step) > 0 ? !int_less(v, start) && int_less(v, stop)
                                     : !int_less(start, v) && int_less(stop, v);
    if (!inside) return NEWREF(None);
    Object *offset = object_binary_op(v, start, BINOP_SUB);
    Object *rem = offset ? object_binary_op(offset, step, BINOP_MOD) : NULL;
    Object *pos = !rem               ? NULL
                  : int_sign(rem) != 0 ? NEWREF(None)
                                       : object_binary_op(offset, step, BINOP_FLOORDIV);
    XDECREF(offset);
    XDECREF(rem);
    return pos;
}

static Object *range_ints_repr(RangeObject *r) {
    Object *step = big_part(r, RANGE_STEP);
    int n = int_is_small(step) && int_value(step) == 1 ? 2 : 3;
    Object *text[3] = {NULL, NULL, NULL};
    Object *result = NULL;
    int i = 0;
    while (i < n && (text[i] = int_repr(big_part(r, i))) != NULL) i++;
    if (i == 2 && n == 2) result = str_from_format("range(%s, %s)", str_data(text[0]), str_data(text[1]));
    if (i == 3)
        result = str_from_format("range(%s, %s, %s)", str_data(text[0]), str_data(text[1]),
                                 str_data(text[2]));
    for (i = 0; i < 3; i++) XDECREF(text[i]);
    return result;
}

/* ---- range ----------------------------------------------------------------- */

Object *range_new(int64_t start, int64_t stop, int64_t step) {
    if (step == 0) return error_set(&exc_ValueError, "range() arg 3 must not be zero");
    uint64_t length = 0;
    if (step > 0 && start < stop)
        length = ((uint64_t)stop - (uint64_t)start - 1) / range_abs_step(step) + 1;
    else if (step < 0 && start > stop)
        length = ((uint64_t)start - (uint64_t)stop - 1) / range_abs_step(step) + 1;
    if (length > (uint64_t)INT64_MAX)
        return range_new_wide(start, stop, step);
    RangeObject *r = (RangeObject *)object_alloc(&range_type, sizeof(RangeObject));
    if (!r) return NULL;
    r->start = start;
    r->stop = stop;
    r->step = step;
    r->length = (int64_t)length;
    r->big = NULL;
    return (Object *)r;
}

/* range(stop) / range(start, stop[, step]) */
static Object *range_construct(Type *type, Object *const *args, size_t nargs, Object *kwnames) {
    (void)type;
    if (kwnames && tuple_size(kwnames) > 0)
        return error_set(&exc_TypeError, "range() takes no keyword arguments");
    if (nargs == 0) return error_set(&exc_TypeError, "range expected at least 1 argument, got 0");
    if (nargs > 3)
        return error_set(&exc_TypeError, "range expected at most 3 arguments, got %zu", nargs);
    int64_t v[3] = {0, 0, 1};
    for (size_t i = 0; i < nargs; i++) {
        if (!is_int_exact(args[i]) || !int_fits_i64(args[i])) return range_construct_ints(args, nargs);
        v[i] = int_value(args[i]);
    }
    if (nargs == 1) return range_new(0, v[0], 1);
    return range_new(v[0], v[1], v[2]);
}

static void range_dealloc(Object *self) {
    XDECREF(AS_RANGE(self)->big);
    object_free(self, sizeof(RangeObject));
}

/* Not tracked by the collector (ints cannot form a cycle), but
   gc.freeze(immortal=True) follows this slot, as slice's. */
static int range_traverse(Object *self, VisitFunc visit, void *arg) {
    Object *big = AS_RANGE(self)->big;
    return big ? visit(big, arg) : 0;
}

static Object *range_repr(Object *self) {
    RangeObject *r = AS_RANGE(self);
    if (r->big) return range_ints_repr(r);
    if (r->step == 1)
        return str_from_format("range(%lld, %lld)", (long long)r->start, (long long)r->stop);
    return str_from_format("range(%lld, %lld, %lld)", (long long)r->start, (long long)r->stop,
                           (long long)r->step);
}

/* len(range): OverflowError for a length past sys.maxsize, as CPython. */
static int64_t range_len(Object *self) {
    RangeObject *r = AS_RANGE(self);
    if (!r->big) return r->length;
    Object *length = big_part(r, RANGE_LENGTH);
    if (int_fits_i64(length)) return int_value(length);
    error_set(&exc_OverflowError, "Python int too large to convert to C ssize_t");
    return -1;
}

/* Ranges are equal when they produce the same sequence. */
static bool range_same_sequence(RangeObject *a, RangeObject *b) {
    if (a->length != b->length) return false;
    if (a->length == 0) return true;
    if (a->start != b->start) return false;
    return a->length == 1 || a->step == b->step;
}

/* What identifies the sequence of r: (len, start, step), with the parts
   that do not matter for short ranges replaced by None, as Python does.
   Equal ranges have equal keys, whichever their representations. */
static Object *range_key(RangeObject *r) {
    Object *length = range_part(r, RANGE_LENGTH);
    if (!length) return NULL;
    bool some = int_sign(length) > 0, one = int_is_small(length) && int_value(length) == 1;
    Object *start = some ? range_part(r, RANGE_START) : NEWREF(None);
    Object *step = some && !one ? range_part(r, RANGE_STEP) : NEWREF(None);
    Object *key = start && step ? tuple_pack(3, length, start, step) : NULL;
    DECREF(length);
    XDECREF(start);
    XDECREF(step);
    return key;
}

/* a == b when either is held as ints: 1, 0, -1. */
static int range_keys_equal(RangeObject *a, RangeObject *b) {
    Object *ka = range_key(a);
    Object *kb = ka ? range_key(b) : NULL;
    int eq = kb ? object_equal(ka, kb) : -1;
    XDECREF(ka);
    XDECREF(kb);
    return eq;
}

static Object *range_richcompare(Object *a, Object *b, int op) {
    if (!is_type(a, &range_type) || !is_type(b, &range_type) || (op != CMP_EQ && op != CMP_NE))
        return NEWREF(NotImplemented);
    RangeObject *ra = AS_RANGE(a), *rb = AS_RANGE(b);
    int eq = !ra->big && !rb->big ? range_same_sequence(ra, rb) : range_keys_equal(ra, rb);
    return eq < 0 ? NULL : bool_from(eq == (op == CMP_EQ));
}

/* Consistent with ==: the hash of the key. */
static int64_t range_hash(Object *self) {
    Object *key = range_key(AS_RANGE(self));
    if (!key) return -1;
    int64_t h = object_hash(key);
    DECREF(key);
    return h;
}

/* Is every part of the slice None or a small int (the int64 path)? */
static bool slice_is_small(SliceObject *s) {
    Object *parts[3] = {s->start, s->stop, s->step};
    for (int i = 0; i < 3; i++)
        if (parts[i] != None && (!is_int(parts[i]) || !int_fits_i64(parts[i]))) return false;
    return true;
}

/* r[slice] is again a range. */
static Object *range_slice(RangeObject *r, Object *slice) {
    if (r->big || !slice_is_small((SliceObject *)slice))
        return range_slice_ints(r, (SliceObject *)slice);
    int64_t s, e, st, n;
    if (slice_indices(slice, r->length, &s, &e, &st, &n) < 0) return NULL;
    int64_t start, stop, step, t;
    if (__builtin_mul_overflow(s, r->step, &t) || __builtin_add_overflow(r->start, t, &start) ||
        __builtin_mul_overflow(e, r->step, &t) || __builtin_add_overflow(r->start, t, &stop) ||
        __builtin_mul_overflow(st, r->step, &step))
        return range_slice_ints(r, (SliceObject *)slice);
    return range_new(start, stop, step);
}

static Object *range_getitem(Object *self, Object *key) {
    RangeObject *r = AS_RANGE(self);
    if (is_slice(key)) return range_slice(r, key);
    if (r->big || !is_int(key) || !int_fits_i64(key)) return range_item_int(r, key);
    int64_t i = int_value(key);
    if (i < 0) i += r->length;
    if (i < 0 || i >= r->length)
        return error_set(&exc_IndexError, "range object index out of range");
    return int_from_i64(range_at(r, i));
}

/* The position of the int v in r, or -1 if absent. */
static int64_t range_position(RangeObject *r, int64_t v) {
    uint64_t offset;
    if (r->step > 0) {
        if (v < r->start || v >= r->stop) return -1;
        offset = (uint64_t)v - (uint64_t)r->start;
    } else {
        if (v > r->start || v <= r->stop) return -1;
        offset = (uint64_t)r->start - (uint64_t)v;
    }
    uint64_t step = range_abs_step(r->step);
    return offset % step == 0 ? (int64_t)(offset / step) : -1;
}

/* Position of item (any object) in r by comparing it with each element:
   -1 absent, -2 error. Used for non-int items such as 3.0. */
static int64_t range_search_ints(RangeObject *r, Object *item, int64_t *count);

static int64_t range_search(RangeObject *r, Object *item, int64_t *count) {
    if (r->big) return range_search_ints(r, item, count);
    int64_t found = -1;
    for (int64_t i = 0; i < r->length; i++) {
        Object *v = int_from_i64(range_at(r, i));
        if (!v) return -2;
        int eq = object_equal(v, item);
        DECREF(v);
        if (eq < 0) return -2;
        if (eq && found < 0) found = i;
        if (eq && !count) break;
        if (eq) (*count)++;
    }
    return found;
}

static int range_contains(Object *self, Object *item) {
    RangeObject *r = AS_RANGE(self);
    /* a big int lies outside every range held in int64 fields, whose
       elements are all small; an int subclass may define __eq__, so it is
       searched for as CPython does */
    if (is_int_exact(item) && !r->big)
        return int_is_small(item) && range_position(r, int_value(item)) >= 0;
    if (is_int_exact(item)) {
        Object *pos = range_find_int(r, item);
        if (!pos) return -1;
        DECREF(pos);
        return pos != None;
    }
    int64_t pos = range_search(r, item, NULL);
    return pos == -2 ? -1 : pos >= 0;
}

static Object *range_getattr(Object *self, Object *name) {
    RangeObject *r = AS_RANGE(self);
    const char *s = str_data(name);
    if (strcmp(s, "start") == 0) return range_part(r, RANGE_START);
    if (strcmp(s, "stop") == 0) return range_part(r, RANGE_STOP);
    if (strcmp(s, "step") == 0) return range_part(r, RANGE_STEP);
    return object_generic_getattr(self, name);
}

/* ValueError "5 is not in range". */
static Object *range_not_in(Object *v) {
    Object *repr = object_repr(v);
    if (!repr) return NULL;
    error_set(&exc_ValueError, "%s is not in range", str_data(repr));
    DECREF(repr);
    return NULL;
}

static Object *range_index_method(Object *self, Object *const *args, size_t nargs,
                                  Object *kwnames) {
    if (args_check("range.index", nargs, kwnames, 1, 1) < 0) return NULL;
    RangeObject *r = AS_RANGE(self);
    if (r->big && is_int_exact(args[0])) {
        Object *pos = range_find_int(r, args[0]);
        if (pos != None) return pos; /* or NULL */
        DECREF(pos);
        return range_not_in(args[0]);
    }
    int64_t pos = !is_int_exact(args[0]) ? range_search(r, args[0], NULL)
                  : int_is_big(args[0])   ? -1
                                          : range_position(r, int_value(args[0]));
    if (pos == -2) return NULL;
    if (pos >= 0) return int_from_i64(pos);
    if (!is_int_exact(args[0])) /* CPython searched by iterating */
        return error_set(&exc_ValueError, "sequence.index(x): x not in sequence");
    return range_not_in(args[0]);
}

static Object *range_count_method(Object *self, Object *const *args, size_t nargs,
                                  Object *kwnames) {
    if (args_check("range.count", nargs, kwnames, 1, 1) < 0) return NULL;
    RangeObject *r = AS_RANGE(self);
    if (is_int_exact(args[0]) && r->big) {
        int in = range_contains(self, args[0]);
        return in < 0 ? NULL : int_from_i64(in);
    }
    if (is_int_exact(args[0]))
        return int_from_i64(int_is_small(args[0]) && range_position(r, int_value(args[0])) >= 0);
    int64_t count = 0;
    if (range_search(r, args[0], &count) == -2) return NULL;
    return int_from_i64(count);
}

/* ---- range_iterator ---------------------------------------------------------- */

static Object *range_iter_make(int64_t first, int64_t step, int64_t count) {
    RangeIterObject *it = (RangeIterObject *)object_alloc(&range_iterator_type,
                                                          sizeof(RangeIterObject));
    if (!it) return NULL;
    it->next = (uint64_t)first;
    it->step = (uint64_t)step;
    it->remaining = count;
    return (Object *)it;
}

static Object *longrange_iter_new(Object *first, Object *step, Object *count);

Object *range_iter(Object *self) {
    RangeObject *r = AS_RANGE(self);
    if (r->big)
        return longrange_iter_new(big_part(r, RANGE_START), big_part(r, RANGE_STEP),
                                  big_part(r, RANGE_LENGTH));
    return range_iter_make(r->start, r->step, r->length);
}

static Object *range_reversed_ints(RangeObject *r);

Object *range_reversed(Object *self) {
    RangeObject *r = AS_RANGE(self);
    if (r->big) return range_reversed_ints(r);
    int64_t last = r->length > 0 ? range_at(r, r->length - 1) : r->start;
    return range_iter_make(last, (int64_t)((uint64_t)0 - (uint64_t)r->step), r->length);
}

#ifdef TOY_FREE_THREADED
/* toy-ft: threads may share the iterator. Each step claims one of the
   values left (a compare-and-swap on the count, which never goes below 0)
   and then takes the next value (a fetch-and-add), so that no value is
   returned twice or lies past the end. The eval loop's inline step
   (FOR_ITER, plain stores) runs only while one thread runs
   (ts_alone_inline_type); once threads run, FOR_ITER calls this too. */
static bool range_iter_take(RangeIterObject *it, int64_t *value) {
    int64_t left = __atomic_load_n(&it->remaining, __ATOMIC_RELAXED);
    do {
        if (left <= 0) return false;
    } while (!__atomic_compare_exchange_n(&it->remaining, &left, left - 1, true,
                                          __ATOMIC_RELAXED, __ATOMIC_RELAXED));
    *value = (int64_t)__atomic_fetch_add(&it->next, it->step, __ATOMIC_RELAXED);
    return true;
}
#else
static bool range_iter_take(RangeIterObject *it, int64_t *value) {
    if (it->remaining <= 0) return false;
    it->remaining--;
    *value = (int64_t)it->next;
    it->next += it->step;
    return true;
}
#endif

static Object *range_iter_next(Object *self) {
    int64_t v;
    if (!range_iter_take((RangeIterObject *)self, &v)) return NULL;
    return int_from_i64(v);
}

static Object *range_iter_self(Object *self) { return NEWREF(self); }

static Object *range_iter_length_hint(Object *self, Object *const *args, size_t nargs,
                                      Object *kwnames) {
    (void)args;
    if (args_check("range_iterator.__length_hint__", nargs, kwnames, 0, 0) < 0) return NULL;
    int64_t left = __atomic_load_n(&((RangeIterObject *)self)->remaining, __ATOMIC_RELAXED);
    return int_from_i64(left > 0 ? left : 0);
}

static const MethodDef range_iter_methods[] = {
    {"__length_hint__", range_iter_length_hint, "Private method returning an estimate of len(list(it))."},
    {NULL, NULL, NULL},
};

static void range_iter_dealloc(Object *self) { object_free(self, sizeof(RangeIterObject)); }

Type range_iterator_type = {
    TYPE_HEAD_INIT,
    .name = "range_iterator",
    .methods = range_iter_methods,
    .base_type = &object_type,
    .instance_size = sizeof(RangeIterObject),
    .dealloc = range_iter_dealloc,
    .hash = object_identity_hash,
    .iter = range_iter_self,
    .iternext = range_iter_next,
};

/* ---- longrange_iterator ------------------------------------------------------ */

/* The iterator of a range held as ints. Its state is three ints, replaced
   at each step; in toy-ft threads may share the iterator, so a step reads
   and replaces them under the iterator's lock (core/objlock.h), and each
   value comes out once. The work under the lock is int arithmetic, which
   runs no Toy code. */
typedef struct {
    Object base;
    Object *next;      /* owned: the next value */
    Object *step;      /* owned */
    Object *remaining; /* owned: how many values are left, >= 0 */
} LongRangeIterObject;

static Object *longrange_iter_new(Object *first, Object *step, Object *count) {
    LongRangeIterObject *it = (LongRangeIterObject *)object_alloc(&longrange_iterator_type,
                                                                  sizeof(LongRangeIterObject));
    if (!it) return NULL;
    it->next = NEWREF(first);
    it->step = NEWREF(step);
    it->remaining = NEWREF(count);
    return (Object *)it;
}

/* reversed(r) for r held as ints: from its last element, stepping back. */
static Object *range_reversed_ints(RangeObject *r) {
    Object *length = big_part(r, RANGE_LENGTH);
    Object *i = object_binary_op(length, small_int(1), BINOP_SUB);
    Object *last = i ? range_at_int(r, i) : NULL;
    Object *back = last ? object_negative(big_part(r, RANGE_STEP)) : NULL;
    Object *it = back ? longrange_iter_new(last, back, length) : NULL;
    XDECREF(i);
    XDECREF(last);
    XDECREF(back);
    return it;
}

static Object *longrange_iter_next(Object *self) {
    LongRangeIterObject *it = (LongRangeIterObject *)self;
    Object *value = NULL;
    objlock_lock_nocode(self);
    if (int_sign(it->remaining) > 0) {
        Object *next = object_binary_op(it->next, it->step, BINOP_ADD);
        Object *left = next ? object_binary_op(it->remaining, small_int(1), BINOP_SUB) : NULL;
        if (left) {
            value = it->next; /* the iterator's reference goes to the caller */
            it->next = next;
            SETREF(&it->remaining, left);
        } else {
            XDECREF(next);
        }
    }
    objlock_unlock_nocode(self);
    return value;
}

static Object *longrange_iter_length_hint(Object *self, Object *const *args, size_t nargs,
                                          Object *kwnames) {
    (void)args;
    if (args_check("longrange_iterator.__length_hint__", nargs, kwnames, 0, 0) < 0) return NULL;
    objlock_lock_nocode(self);
    Object *left = NEWREF(((LongRangeIterObject *)self)->remaining);
    objlock_unlock_nocode(self);
    return left;
}

static const MethodDef longrange_iter_methods[] = {
    {"__length_hint__", longrange_iter_length_hint,
     "Private method returning an estimate of len(list(it))."},
    {NULL, NULL, NULL},
};

static void longrange_iter_dealloc(Object *self) {
    LongRangeIterObject *it = (LongRangeIterObject *)self;
    DECREF(it->next);
    DECREF(it->step);
    DECREF(it->remaining);
    object_free(self, sizeof(LongRangeIterObject));
}

Type longrange_iterator_type = {
    TYPE_HEAD_INIT,
    .name = "longrange_iterator",
    .methods = longrange_iter_methods,
    .base_type = &object_type,
    .instance_size = sizeof(LongRangeIterObject),
    .dealloc = longrange_iter_dealloc,
    .hash = object_identity_hash,
    .iter = range_iter_self,
    .iternext = longrange_iter_next,
};

/* range_search over a range held as ints, stepping its iterator. */
static int64_t range_search_ints(RangeObject *r, Object *item, int64_t *count) {
    Object *it = range_iter((Object *)r);
    if (!it) return -2;
    int64_t found = -1;
    for (int64_t i = 0;; i++) {
        Object *v = longrange_iter_next(it);
        if (!v) {
            if (error_occurred()) found = -2;
            break;
        }
        int eq = object_equal(v, item);
        DECREF(v);
        if (eq < 0) {
            found = -2;
            break;
        }
        if (eq && found < 0) found = i;
        if (eq && !count) break;
        if (eq) (*count)++;
    }
    DECREF(it);
    return found;
}

static Object *range_reversed_method(Object *self, Object *const *args, size_t nargs,
                                     Object *kwnames) {
    (void)args;
    if (args_check("range.__reversed__", nargs, kwnames, 0, 0) < 0) return NULL;
    return range_reversed(self);
}

/* bool(range): whether it has an item (its length may not fit an index). */
static int range_truth(Object *self) {
    RangeObject *r = AS_RANGE(self);
    return r->big ? int_sign(big_part(r, RANGE_LENGTH)) > 0 : r->length > 0;
}

/* range.__bool__, which CPython shows (a truth slot beside a len slot is
   otherwise internal, slotwrapper.c). */
static Object *range_bool_method(Object *self, Object *const *args, size_t nargs,
                                 Object *kwnames) {
    (void)args;
    if (kwnames && tuple_size(kwnames) > 0)
        return error_set(&exc_TypeError, "wrapper __bool__() takes no keyword arguments");
    if (nargs) return error_set(&exc_TypeError, "expected 0 arguments, got %zu", nargs);
    return bool_from(range_truth(self));
}

static const MethodDef range_methods[] = {
    {"__reversed__", range_reversed_method, "Return a reverse iterator."},
    {"__bool__", range_bool_method, "True if self else False"},
    {"index", range_index_method, "Return index of value."},
    {"count", range_count_method, "Return number of occurrences of value."},
    {NULL, NULL, NULL},
};

/* Served by range_type's getattr slot; declared for dir() and the class. */
static const GetSetDef range_getsets[] = {
    {"start", NULL, true},
    {"stop", NULL, true},
    {"step", NULL, true},
    {NULL, NULL, false},
};

Type range_type = {
    TYPE_HEAD_INIT,
    .name = "range",
    .getsets = range_getsets,
    .base_type = &object_type,
    .instance_size = sizeof(RangeObject),
    .methods = range_methods,
    .dealloc = range_dealloc,
    .repr = range_repr,
    .hash = range_hash,
    .richcompare = range_richcompare,
    .construct = range_construct,
    .getattr = range_getattr,
    .iter = range_iter,
    .len = range_len,
    .truth = range_truth,
    .getitem = range_getitem,
    .contains = range_contains,
    .traverse = range_traverse,
};

/* ---- slice ------------------------------------------------------------------- */

#define AS_SLICE(o) ((SliceObject *)(o))

Object *slice_new(Object *start, Object *stop, Object *step) {
    SliceObject *s = (SliceObject *)object_alloc(&slice_type, sizeof(SliceObject));
    if (!s) return NULL;
    s->start = NEWREF(start ? start : None);
    s->stop = NEWREF(stop ? stop : None);
    s->step = NEWREF(step ? step : None);
    return (Object *)s;
}

/* slice(stop) / slice(start, stop[, step]) */
static Object *slice_construct(Type *type, Object *const *args, size_t nargs, Object *kwnames) {
    (void)type;
    if (kwnames && tuple_size(kwnames) > 0)
        return error_set(&exc_TypeError, "slice() takes no keyword arguments");
    if (nargs == 0) return error_set(&exc_TypeError, "slice expected at least 1 argument, got 0");
    if (nargs > 3)
        return error_set(&exc_TypeError, "slice expected at most 3 arguments, got %zu", nargs);
    if (nargs == 1) return slice_new(NULL, args[0], NULL);
    return slice_new(args[0], args[1], nargs > 2 ? args[2] : NULL);
}

static void slice_dealloc(Object *self) {
    SliceObject *s = AS_SLICE(self);
    DECREF(s->start);
    DECREF(s->stop);
    DECREF(s->step);
    object_free(self, sizeof(SliceObject));
}

static Object *slice_repr(Object *self) {
    SliceObject *s = AS_SLICE(self);
    Object *parts[3] = {object_repr(s->start), NULL, NULL};
    if (parts[0]) parts[1] = object_repr(s->stop);
    if (parts[1]) parts[2] = object_repr(s->step);
    Object *r = NULL;
    if (parts[2])
        r = str_from_format("slice(%s, %s, %s)", str_data(parts[0]), str_data(parts[1]),
                            str_data(parts[2]));
    for (int i = 0; i < 3; i++) XDECREF(parts[i]);
    return r;
}

static Object *slice_as_tuple(Object *self) {
    SliceObject *s = AS_SLICE(self);
    return tuple_pack(3, s->start, s->stop, s->step);
}

/* Slices compare like (start, stop, step) tuples. */
static Object *slice_richcompare(Object *a, Object *b, int op) {
    if (!is_slice(a) || !is_slice(b)) return NEWREF(NotImplemented);
    Object *ta = slice_as_tuple(a);
    Object *tb = ta ? slice_as_tuple(b) : NULL;
    Object *r = tb ? object_compare(ta, tb, (CompareOp)op) : NULL;
    XDECREF(ta);
    XDECREF(tb);
    return r;
}

static Object *slice_getattr(Object *self, Object *name) {
    SliceObject *s = AS_SLICE(self);
    const char *n = str_data(name);
    if (strcmp(n, "start") == 0) return NEWREF(s->start);
    if (strcmp(n, "stop") == 0) return NEWREF(s->stop);
    if (strcmp(n, "step") == 0) return NEWREF(s->step);
    return object_generic_getattr(self, name);
}

/* An int (or __index__) slice component, as an exact int (a new
   reference); msg is the TypeError text. */
static Object *slice_component_int(Object *o, const char *msg) {
    if (is_int(o)) return NEWREF(o);
    if (!TYPE(o)->index && !type_lookup_cstr(TYPE(o), "__index__"))
        return error_set(&exc_TypeError, "%s", msg);
    return object_index(o);
}

/* The same as an int64. A big int reads as INT64_MIN or INT64_MAX by its
   sign (int_value, int.h): the clamp CPython applies to a slice's bounds,
   before slice_resolve clamps them to the sequence. whole, if not NULL,
   gets the exact int as well. */
static int slice_component(Object *o, int64_t *out, const char *msg, Object **whole) {
    Object *index = slice_component_int(o, msg);
    if (index == NULL) return -1;
    *out = int_value(index);
    if (whole != NULL)
        *whole = index;
    else
        DECREF(index);
    return 0;
}

/* Clamp an index to [lo, hi] after counting negatives from the end. */
static int64_t slice_clamp(int64_t v, int64_t length, int64_t lo, int64_t hi) {
    if (v < 0) {
        v += length;
        if (v < lo) v = lo;
    } else if (v > hi) {
        v = hi;
    }
    return v;
}

/* slice.indices() once the components are read: b and e count when has_b
   and has_e (else the defaults of the direction apply); st != 0. */
static void slice_resolve(int64_t st, bool has_b, int64_t b, bool has_e, int64_t e, int64_t length,
                          int64_t *start, int64_t *stop, int64_t *step, int64_t *slicelength) {
    if (st == INT64_MIN) st = -INT64_MAX; /* so that -step exists */
    /* Defaults and bounds depend on the direction: forwards the indices run
       over [0, length]; backwards over [-1, length - 1]. */
    int64_t lo = st > 0 ? 0 : -1, hi = st > 0 ? length : length - 1;
    b = has_b ? slice_clamp(b, length, lo, hi) : st > 0 ? 0 : length - 1;
    e = has_e ? slice_clamp(e, length, lo, hi) : st > 0 ? length : -1;
    int64_t n = 0;
    if (st > 0 && b < e) n = (e - b - 1) / st + 1;
    if (st < 0 && b > e) n = (b - e - 1) / (-st) + 1;
    *start = b;
    *stop = e;
    *step = st;
    *slicelength = n;
}

/* slice_unpack, and the step as an exact int in *step_whole when not NULL
   (a new reference, None's is 1; the caller releases it on an error too). */
static int slice_unpack_step(Object *slice, SliceBounds *b, Object **step_whole) {
    static const char msg[] = "slice indices must be integers or None or have an __index__ method";
    SliceObject *s = AS_SLICE(slice);
    b->step = 1;
    b->start = b->stop = 0;
    b->has_start = s->start != None;
    b->has_stop = s->stop != None;
    if (s->step != None && slice_component(s->step, &b->step, msg, step_whole) < 0) return -1;
    if (s->step == None && step_whole != NULL) *step_whole = int_from_i64(1);
    if (b->step == 0) {
        error_set(&exc_ValueError, "slice step cannot be zero");
        return -1;
    }
    if ((b->has_start && slice_component(s->start, &b->start, msg, NULL) < 0) ||
        (b->has_stop && slice_component(s->stop, &b->stop, msg, NULL) < 0))
        return -1;
    return 0;
}

int slice_unpack(Object *slice, SliceBounds *b) { return slice_unpack_step(slice, b, NULL); }

void slice_adjust(const SliceBounds *b, int64_t length, int64_t *start, int64_t *stop,
                  int64_t *step, int64_t *slicelength) {
    slice_resolve(b->step, b->has_start, b->start, b->has_stop, b->stop, length, start, stop,
                  step, slicelength);
}

/* slice_indices, and the step as an exact int in *step_whole when not
   NULL (as slice_unpack_step). */
static int slice_indices_step(Object *slice, int64_t length, int64_t *start, int64_t *stop,
                              int64_t *step, int64_t *slicelength, Object **step_whole) {
    SliceBounds b;
    if (slice_unpack_step(slice, &b, step_whole) < 0) return -1;
    slice_adjust(&b, length, start, stop, step, slicelength);
    return 0;
}

int slice_indices(Object *slice, int64_t length, int64_t *start, int64_t *stop, int64_t *step,
                  int64_t *slicelength) {
    return slice_indices_step(slice, length, start, stop, step, slicelength, NULL);
}

/* A bound the direct paths take: None, or an int that is not a big one
   (bool and int subclasses go the generic way, through slice_indices). */
static inline __attribute__((always_inline)) bool slice_bound_is_simple(Object *o) {
    return o == None || (TYPE(o) == &int_type && int_fits_i64(o));
}

void slice_range_bounds(Object *lo, Object *hi, int64_t length, int64_t *start, int64_t *stop) {
    int64_t b = lo == None ? 0 : slice_clamp(int_value(lo), length, 0, length);
    int64_t e = hi == None ? length : slice_clamp(int_value(hi), length, 0, length);
    *start = b;
    *stop = e > b ? e : b;
}

void slice_simple_indices(Object *lo, Object *hi, Object *step, int64_t length, int64_t *start,
                          int64_t *st, int64_t *slicelength) {
    int64_t stop;
    slice_resolve(step == None ? 1 : int_value(step), lo != None, lo == None ? 0 : int_value(lo),
                  hi != None, hi == None ? 0 : int_value(hi), length, start, &stop, st,
                  slicelength);
}

/* The generic obj[lo:hi:step] (step NULL when absent), through a slice object. */
static Object *slice_subscript_generic(Object *obj, Object *lo, Object *hi, Object *step) {
    Object *s = slice_new(lo, hi, step);
    if (!s) return NULL;
    Object *r = object_getitem(obj, s);
    DECREF(s);
    return r;
}

/* obj[lo:hi:step] for an exact list (step not 0: slice_indices raises). */
static Object *slice_subscript_step(Object *obj, Object *lo, Object *hi, Object *step) {
    if (TYPE(obj) == &list_type && slice_bound_is_simple(lo) && slice_bound_is_simple(hi) &&
        slice_bound_is_simple(step) && (step == None || int_value(step) != 0))
        return list_get_slice(obj, lo, hi, step);
    return slice_subscript_generic(obj, lo, hi, step);
}

Object *slice_subscript(Object *obj, Object *lo, Object *hi, Object *step) {
    if (step) return slice_subscript_step(obj, lo, hi, step);
    Type *t = TYPE(obj);
    if ((t != &list_type && t != &tuple_type && t != &str_type) || !slice_bound_is_simple(lo) ||
        !slice_bound_is_simple(hi))
        return slice_subscript_generic(obj, lo, hi, NULL);
    if (t == &list_type) return list_get_slice(obj, lo, hi, None);
    int64_t start, stop;
    if (t == &tuple_type) {
        slice_range_bounds(lo, hi, (int64_t)tuple_size(obj), &start, &stop);
        return tuple_get_range(obj, start, stop);
    }
    slice_range_bounds(lo, hi, (int64_t)((StrObject *)obj)->nchars, &start, &stop);
    return str_get_range(obj, start, stop);
}

int slice_store_taking(Object *obj, Object *lo, Object *hi, Object *value) {
    /* Another list as the source is read in place, or its items moved when
       this was its only reference; the list itself (a[i:j] = a) and other
       iterables are copied first (the generic path). */
    int r;
    if (TYPE(obj) == &list_type && TYPE(value) == &list_type && value != obj &&
        slice_bound_is_simple(lo) && slice_bound_is_simple(hi)) {
        if (REFCNT_IS_ONLY(value))
            return list_set_range_taking(obj, lo, hi, value);
        r = list_set_range(obj, lo, hi, value);
    } else {
        Object *s = slice_new(lo, hi, NULL);
        r = s ? object_setitem(obj, s, value) : -1;
        XDECREF(s);
    }
    DECREF(value);
    return r;
}

int slice_clamp_index(Object *arg, int64_t length, int64_t *out) {
    int64_t v;
    if (slice_component(arg, &v, "slice indices must be integers or have an __index__ method",
                        NULL) < 0)
        return -1;
    *out = slice_clamp(v, length, 0, length);
    return 0;
}

/* One bound of slice.indices() for a length beyond int64, as exact ints:
   v (None: dflt) counted from the end when negative, clamped to
   [lower, upper]. A new reference, or NULL. */
static Object *slice_bound_big(Object *v, Object *dflt, Object *length, Object *lower,
                               Object *upper, const char *msg) {
    if (v == None) return NEWREF(dflt);
    Object *i = slice_component_int(v, msg);
    if (i != NULL && int_value(i) < 0) SETREF(&i, object_binary_op(i, length, BINOP_ADD));
    if (i == NULL) return NULL;
    int below = object_compare_bool(i, lower, CMP_LT);
    int above = below == 0 ? object_compare_bool(i, upper, CMP_GT) : 0;
    if (below < 0 || above < 0) CLEAR(&i);
    else if (below || above) SETREF(&i, NEWREF(below ? lower : upper));
    return i;
}

/* slice.indices(length) for a length beyond int64: CPython's arithmetic
   on exact ints (the indices of the int64 path cannot hold it). */
static Object *slice_indices_big(SliceObject *s, Object *length) {
    static const char msg[] = "slice indices must be integers or None or have an __index__ method";
    Object *step = s->step == None ? int_from_i64(1) : slice_component_int(s->step, msg);
    if (step == NULL) return NULL;
    if (!int_is_big(step) && int_value(step) == 0) {
        DECREF(step);
        return error_set(&exc_ValueError, "slice step cannot be zero");
    }
    bool back = int_value(step) < 0;
    Object *lower = int_from_i64(back ? -1 : 0);
    Object *upper = back ? object_binary_op(length, lower, BINOP_ADD) : NEWREF(length);
    Object *start = NULL, *stop = NULL, *t = NULL;
    if (lower && upper &&
        (start = slice_bound_big(s->start, back ? upper : lower, length, lower, upper, msg)) &&
        (stop = slice_bound_big(s->stop, back ? lower : upper, length, lower, upper, msg)))
        t = tuple_pack(3, start, stop, step);
    XDECREF(start);
    XDECREF(stop);
    XDECREF(lower);
    XDECREF(upper);
    DECREF(step);
    return t;
}

/* slice.indices(length) -> (start, stop, step) */
static Object *slice_indices_method(Object *self, Object *const *args, size_t nargs,
                                    Object *kwnames) {
    if (args_check("slice.indices", nargs, kwnames, 1, 1) < 0) return NULL;
    int64_t length, start, stop, step, n;
    Object *len_int = object_index(args[0]);
    if (len_int == NULL) return NULL;
    length = int_value(len_int); /* a big int's reads as INT64_MIN or INT64_MAX */
    if (length < 0) {
        DECREF(len_int);
        return error_set(&exc_ValueError, "length should not be negative");
    }
    if (!int_fits_i64(len_int)) {
        Object *t = slice_indices_big(AS_SLICE(self), len_int);
        DECREF(len_int);
        return t;
    }
    DECREF(len_int);
    /* The step is given back whole, as CPython does: one beyond int64 was
       clamped for the arithmetic, which that does not change (one step
       leaves the sequence). */
    Object *whole = NULL;
    if (slice_indices_step(self, length, &start, &stop, &step, &n, &whole) < 0) {
        XDECREF(whole);
        return NULL;
    }
    Object *parts[3] = {int_from_i64(start), int_from_i64(stop), whole};
    Object *t = parts[0] && parts[1] && parts[2] ? tuple_pack(3, parts[0], parts[1], parts[2])
                                                 : NULL;
    for (int i = 0; i < 3; i++) XDECREF(parts[i]);
    return t;
}

static const MethodDef slice_methods[] = {
    {"indices", slice_indices_method, "Return (start, stop, stride) for a sequence of length len."},
    {NULL, NULL, NULL},
};

/* Served by slice_type's getattr slot; declared for dir() and the class. */
static const GetSetDef slice_getsets[] = {
    {"start", NULL, true},
    {"stop", NULL, true},
    {"step", NULL, true},
    {NULL, NULL, false},
};

/* Not tracked by the collector, but gc.freeze(immortal=True) follows
   this slot to make a frozen slice's bounds immortal with it. */
static int slice_traverse(Object *self, VisitFunc visit, void *arg) {
    SliceObject *s = (SliceObject *)self;
    int r = visit(s->start, arg);
    if (!r) r = visit(s->stop, arg);
    return r ? r : visit(s->step, arg);
}

Type slice_type = {
    TYPE_HEAD_INIT,
    .name = "slice",
    .getsets = slice_getsets,
    .base_type = &object_type,
    .instance_size = sizeof(SliceObject),
    .methods = slice_methods,
    .dealloc = slice_dealloc,
    .repr = slice_repr,
    .hash = object_hash_not_implemented, /* hashable from Python 3.12 */
    .richcompare = slice_richcompare,
    .construct = slice_construct,
    .getattr = slice_getattr,
    .traverse = slice_traverse,
};

/* ---- seq_iter ------------------------------------------------------------------ */

typedef struct {
    Object base;
    Object *seq;    /* owned; NULL once exhausted (toy-ft: kept, core/iterstate.h) */
    size_t index;   /* the next index; ITER_SPENT once exhausted in toy-ft */
} SeqIterObject;

Object *seq_iter_new(Object *seq) {
    SeqIterObject *it = (SeqIterObject *)object_alloc(&seq_iter_type, sizeof(SeqIterObject));
    if (!it) return NULL;
    it->seq = NEWREF(seq);
    return (Object *)it;
}

static Object *seq_iter_next(Object *self) {
    SeqIterObject *it = (SeqIterObject *)self;
    size_t i = iter_index(&it->index); /* read once: ITER_SPENT must not become -1 */
    if (iter_spent(it->seq, &i)) return NULL;
    Type *t = TYPE(it->seq);
    /* A built-in sequence knows its length: stop without raising IndexError.
       User classes get Python's protocol (their __len__ need not exist). */
    if (!(t->flags & TYPE_HEAP) && t->len) {
        int64_t n = t->len(it->seq);
        if (n < 0) return NULL;
        if (i >= (uint64_t)n) {
            iter_exhaust(&it->seq, &it->index);
            return NULL;
        }
    }
    Object *index = int_from_i64((int64_t)i);
    if (!index) return NULL;
    Object *item = object_getitem(it->seq, index);
    DECREF(index);
    if (item) {
        iter_set_index(&it->index, i + 1);
        return item;
    }
    if (error_matches(&exc_IndexError) || error_matches(&exc_StopIteration)) {
        error_clear();
        iter_exhaust(&it->seq, &it->index);
    }
    return NULL;
}

static Object *seq_iter_self(Object *self) { return NEWREF(self); }

static void seq_iter_dealloc(Object *self) {
    XDECREF(((SeqIterObject *)self)->seq);
    object_free(self, sizeof(SeqIterObject));
}

static int seq_iter_traverse(Object *self, VisitFunc visit, void *arg) {
    SeqIterObject *o = (SeqIterObject *)self;
    VISIT(o->seq);
    return 0;
}

Type seq_iter_type = {
    TYPE_HEAD_INIT,
    .name = "iterator",
    .base_type = &object_type,
    .flags = TYPE_GC,
    .instance_size = sizeof(SeqIterObject),
    .dealloc = seq_iter_dealloc,
    .hash = object_identity_hash,
    .iter = seq_iter_self,
    .iternext = seq_iter_next,
    .traverse = seq_iter_traverse,
};
