/* arraymodule.c - the array module: array.array, a compact sequence of
 * machine numbers of one typecode (b B u h H i I l L q Q f d).
 *
 * An ArrayObject owns a mem_alloc'd block of `capacity` items of the
 * typecode's size, the first `size` of them in use, in the machine's own
 * layout (so tobytes() is a copy and memoryview() shares the block).
 *
 * Invariants:
 *   - Only the functions of the "Mutation" section write the block or change
 *     size/capacity; they take already converted C items, so no Toy code
 *     runs while they work.
 *   - toy-ft (core/objlock.h): every method and slot holds the array's lock
 *     for its whole call (both arrays' locks, in stripe order, when the
 *     other operand is an array too), the export count included, so no
 *     thread resizes an array while another reads or exports it. The
 *     conversions of values (__index__, __float__) and extend's iteration
 *     of its argument run under it; see "The lock" at the end.
 *   - While exports > 0 (a memoryview or another borrower holds the block)
 *     the size does not change: "BufferError: cannot resize an array that
 *     is exporting buffers".
 *   - Converting a value to an item raises CPython's exact errors, which
 *     differ per typecode ("signed char is greater than maximum", "unsigned
 *     int is greater than maximum", ...).
 */
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "core/alloc.h"
#include "core/objlock.h"
#include "core/iterstate.h"
#include "core/refcount.h"
#include "objects/abstract.h"
#include "objects/buffer.h"
#include "objects/bytearray.h"
#include "objects/bytes.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/float.h"
#include "objects/int.h"
#include "objects/list.h"
#include "objects/module.h"
#include "objects/range.h"
#include "objects/str.h"
#include "objects/tuple.h"
#include "modules/arraymodule.h"

/* ---- Typecodes --------------------------------------------------------------- */

typedef struct {
    char typecode;
    size_t itemsize;
    const char *format;   /* the buffer protocol's format: 'w' for 'u', as CPython */
} ArrayDescr;

static const ArrayDescr descrs[] = {
    {'b', 1, "b"}, {'B', 1, "B"}, {'u', sizeof(wchar_t), "w"},
    {'h', sizeof(short), "h"}, {'H', sizeof(short), "H"},
    {'i', sizeof(int), "i"}, {'I', sizeof(int), "I"},
    {'l', sizeof(long), "l"}, {'L', sizeof(long), "L"},
    {'q', sizeof(long long), "q"}, {'Q', sizeof(long long), "Q"},
    {'f', sizeof(float), "f"}, {'d', sizeof(double), "d"},
};

static const ArrayDescr *descr_for(char c) {
    for (size_t i = 0; i < sizeof descrs / sizeof descrs[0]; i++)
        if (descrs[i].typecode == c) return &descrs[i];
    return NULL;
}

typedef struct {
    Object base;
    const ArrayDescr *descr;
    char *items;          /* mem_alloc'd, capacity * itemsize bytes; NULL when capacity is 0 */
    size_t size;          /* items in use */
    size_t capacity;      /* items allocated */
    int64_t exports;      /* buffer views lent out */
} ArrayObject;

#define AR(o) ((ArrayObject *)(o))
#define ITEMSIZE(a) (AR(a)->descr->itemsize)

static bool is_array(Object *o) { return TYPE(o) == &array_type; }

/* ---- Converting items ----------------------------------------------------------- */

/* An item as an object. */
static Object *item_get(const ArrayDescr *d, const char *p) {
    if (d->typecode == 'u') {
        wchar_t w;
        memcpy(&w, p, sizeof w);
        char utf8[4];
        size_t n = str_utf8_encode((uint32_t)w, utf8);
        return str_from_utf8(utf8, n);
    }
    return buffer_native_unpack(d->typecode, p);
}

static int overflow(const char *msg) {
    error_set(&exc_OverflowError, "%s", msg);
    return -1;
}

/* Range check of a value that went through a C long, with CPython's text
   for the C type ("signed char is greater than maximum"). */
static int check_range(int64_t v, int64_t lo, int64_t hi, const char *what) {
    char msg[64];
    if (v < lo) snprintf(msg, sizeof msg, "%s is less than minimum", what);
    else if (v > hi) snprintf(msg, sizeof msg, "%s is greater than maximum", what);
    else return 0;
    return overflow(msg);
}

/* An integer item: converted through __index__, then checked as CPython's
   setter for the typecode does. *bits gets the value. */
static int int_item(char c, Object *v, uint64_t *bits) {
    Object *i = object_index(v);
    if (!i) return -1;
    int64_t s;
    uint64_t u;
    IntRange64 range = int_range64(i, &s, &u);
    DECREF(i);
    bool is_unsigned_long = c == 'I' || c == 'L', is_ll = c == 'q' || c == 'Q';
    if (is_ll) {
        if (c == 'Q' && (range == INT_BELOW_I64 || (range == INT_FITS_I64 && s < 0)))
            return overflow("can't convert negative int to unsigned");
        if (range == INT_ABOVE_U64 || range == INT_BELOW_I64 || (c == 'q' && range == INT_FITS_U64))
            return overflow("int too big to convert");
        *bits = range == INT_FITS_U64 ? u : (uint64_t)s;
        return 0;
    }
    if (is_unsigned_long) {
        if (range == INT_BELOW_I64 || (range == INT_FITS_I64 && s < 0))
            return overflow("can't convert negative value to unsigned int");
        if (range == INT_ABOVE_U64) return overflow("Python int too large to convert to C unsigned long");
        uint64_t x = range == INT_FITS_U64 ? u : (uint64_t)s;
        if (c == 'I' && x > UINT32_MAX) return overflow("unsigned int is greater than maximum");
        *bits = x;
        return 0;
    }
    /* the others go through a C long first */
    if (range != INT_FITS_I64) return overflow("Python int too large to convert to C long");
    switch (c) {
    case 'b':
        if (check_range(s, INT16_MIN, INT16_MAX, "signed short integer") < 0 ||
            check_range(s, -128, 127, "signed char") < 0)
            return -1;
        break;
    case 'B': if (check_range(s, 0, 255, "unsigned byte integer") < 0) return -1; break;
    case 'h': if (check_range(s, INT16_MIN, INT16_MAX, "signed short integer") < 0) return -1; break;
    case 'H':
        if (check_range(s, INT32_MIN, INT32_MAX, "signed integer") < 0 ||
            check_range(s, 0, UINT16_MAX, "unsigned short") < 0)
            return -1;
        break;
    case 'i': if (check_range(s, INT32_MIN, INT32_MAX, "signed integer") < 0) return -1; break;
    default: break; /* 'l' */
    }
    *bits = (uint64_t)s;
    return 0;
}

/* Converts v to one item of d at out (itemsize bytes). */
static int item_set(const ArrayDescr *d, char *out, Object *v) {
    char c = d->typecode;
    if (c == 'u') {
        if (!is_str(v) || ((StrObject *)v)->nchars != 1) {
            error_set(&exc_TypeError, "array item must be unicode character");
            return -1;
        }
        size_t len;
        wchar_t w = (wchar_t)str_utf8_decode(str_data(v), &len);
        memcpy(out, &w, sizeof w);
        return 0;
    }
    if (c == 'f' || c == 'd') {
        double x;
        if (object_as_double(v, &x) < 0) return -1;
        if (c == 'f') {
            float f = (float)x;
            memcpy(out, &f, sizeof f);
        } else {
            memcpy(out, &x, sizeof x);
        }
        return 0;
    }
    uint64_t bits;
    if (int_item(c, v, &bits) < 0) return -1;
    uint8_t b1 = (uint8_t)bits;
    uint16_t b2 = (uint16_t)bits;
    uint32_t b4 = (uint32_t)bits;
    size_t n = d->itemsize;
    memcpy(out, n == 1 ? (void *)&b1 : n == 2 ? (void *)&b2 : n == 4 ? (void *)&b4 : (void *)&bits, n);
    return 0;
}

/* ---- Mutation ------------------------------------------------------------------ */

static int resize_refused(void) {
    error_set(&exc_BufferError, "cannot resize an array that is exporting buffers");
    return -1;
}

/* Room for `need` items, growing by an eighth and more (amortised O(1)
   appends). */
static int array_reserve(ArrayObject *a, size_t need) {
    if (need <= a->capacity) return 0;
    size_t isz = a->descr->itemsize;
    if (need > ((size_t)1 << 60) / isz) {
        error_no_memory();
        return -1;
    }
    size_t cap = need + need / 8 + 4;
    char *items = mem_realloc(a->items, a->capacity * isz, cap * isz);
    if (!items) {
        error_no_memory();
        return -1;
    }
    a->items = items;
    a->capacity = cap;
    return 0;
}

/* Replace items [lo, hi) with the n items at src (which may point into the
   array itself). The one function that changes the size. */
static int array_splice(Object *self, size_t lo, size_t hi, const char *src, size_t n) {
    ArrayObject *a = AR(self);
    size_t isz = a->descr->itemsize, removed = hi - lo;
    if (n != removed && a->exports > 0) return resize_refused();
    char *copy = NULL;
    if (n && a->items && src >= a->items && src < a->items + a->size * isz) {
        if (!(copy = mem_alloc(n * isz))) {
            error_no_memory();
            return -1;
        }
        memcpy(copy, src, n * isz);
        src = copy;
    }
    size_t new_size = a->size - removed + n;
    int rc = array_reserve(a, new_size);
    if (rc == 0) {
        size_t tail = a->size - hi;
        if (tail) memmove(a->items + (lo + n) * isz, a->items + hi * isz, tail * isz);
        if (n) memcpy(a->items + lo * isz, src, n * isz);
        a->size = new_size;
    }
    if (copy) mem_free(copy, n * isz);
    return rc;
}

static void array_set_item(Object *self, size_t i, const char *item) {
    memcpy(AR(self)->items + i * ITEMSIZE(self), item, ITEMSIZE(self));
}

static void array_reverse_items(Object *self) {
    size_t isz = ITEMSIZE(self), n = AR(self)->size;
    char tmp[16];
    for (size_t i = 0; i < n / 2; i++) {
        char *x = AR(self)->items + i * isz, *y = AR(self)->items + (n - 1 - i) * isz;
        memcpy(tmp, x, isz);
        memcpy(x, y, isz);
        memcpy(y, tmp, isz);
    }
}

static void array_byteswap_items(Object *self) {
    size_t isz = ITEMSIZE(self);
    for (size_t i = 0; i < AR(self)->size; i++) {
        char *p = AR(self)->items + i * isz;
        for (size_t j = 0; j < isz / 2; j++) {
            char t = p[j];
            p[j] = p[isz - 1 - j];
            p[isz - 1 - j] = t;
        }
    }
}

/* a[start::step] = the count items at src (a copy, not a's own block). */
static void array_set_strided(Object *self, int64_t start, int64_t step, int64_t count,
                              const char *src) {
    size_t isz = ITEMSIZE(self);
    for (int64_t i = 0; i < count; i++) {
        int64_t j = start + i * step; /* never past the last item: no overflow */
        memcpy(AR(self)->items + (size_t)j * isz, src + (size_t)i * isz, isz);
    }
}

/* del a[start::step] for count items, closing up in one pass. */
static int array_delete_strided(Object *self, int64_t start, int64_t step, int64_t count) {
    if (count == 0) return 0;
    if (AR(self)->exports > 0) return resize_refused();
    if (step < 0) {
        start += step * (count - 1);
        step = -step;
    }
    size_t isz = ITEMSIZE(self), n = AR(self)->size, out = (size_t)start;
    char *items = AR(self)->items;
    for (size_t i = (size_t)start, k = 0; i < n; i++) {
        if (k < (size_t)count && i == (size_t)start + k * (size_t)step) {
            k++;
            continue;
        }
        memmove(items + out * isz, items + i * isz, isz);
        out++;
    }
    AR(self)->size = out;
    return 0;
}

/* a *= n: the items repeated in place. */
static int array_repeat_inplace(Object *self, int64_t n) {
    ArrayObject *a = AR(self);
    size_t size = a->size, isz = a->descr->itemsize;
    if (n <= 0) return array_splice(self, 0, size, NULL, 0);
    if (n == 1 || size == 0) return 0;
    if (a->exports > 0) return resize_refused();
    if ((uint64_t)n > ((size_t)1 << 60) / (size * isz)) {
        error_no_memory();
        return -1;
    }
    if (array_reserve(a, size * (size_t)n) < 0) return -1;
    for (int64_t i = 1; i < n; i++) memcpy(a->items + (size_t)i * size * isz, a->items, size * isz);
    a->size = size * (size_t)n;
    return 0;
}

/* ---- Creation -------------------------------------------------------------------- */

static Object *array_new_empty(const ArrayDescr *d, size_t capacity) {
    ArrayObject *a = (ArrayObject *)object_alloc(&array_type, sizeof *a);
    if (!a) return NULL;
    a->descr = d;
    if (capacity && array_reserve(a, capacity) < 0) {
        DECREF(a);
        return NULL;
    }
    return (Object *)a;
}

static Object *array_from_items(const ArrayDescr *d, const char *items, size_t n) {
    Object *a = array_new_empty(d, n);
    if (a && n) {
        memcpy(AR(a)->items, items, n * d->itemsize);
        AR(a)->size = n;
    }
    return a;
}

static void array_dealloc(Object *self) {
    if (AR(self)->items) mem_free(AR(self)->items, AR(self)->capacity * ITEMSIZE(self));
    object_free(self, sizeof(ArrayObject));
}

/* Appends the items converted from an iterable (partial on error, as
   CPython's extend). */
static int extend_from_iterable(Object *self, Object *iterable) {
    Object *it = object_iter(iterable);
    if (!it) return -1;
    Object *v;
    char item[16];
    int rc = 0;
    while ((v = object_next(it))) {
        rc = item_set(AR(self)->descr, item, v);
        DECREF(v);
        if (rc < 0) break;
        size_t end = AR(self)->size;
        if ((rc = array_splice(self, end, end, item, 1)) < 0) break;
    }
    DECREF(it);
    return rc < 0 || error_occurred() ? -1 : 0;
}

/* frombytes: a buffer of single bytes whose length is a multiple of the
   item size. */
static int extend_from_bytes(Object *self, Object *src) {
    Buffer view;
    if (buffer_get(src, &view) < 0) return -1;
    int rc = -1;
    if (view.itemsize != 1) {
        error_set(&exc_TypeError, "a bytes-like object is required");
    } else if (view.len % ITEMSIZE(self) != 0) {
        error_set(&exc_ValueError, "bytes length not a multiple of item size");
    } else {
        size_t end = AR(self)->size;
        rc = array_splice(self, end, end, view.data, view.len / ITEMSIZE(self));
    }
    buffer_release(&view);
    return rc;
}

/* fromunicode / array('u', str): one item per character. */
static int extend_from_str(Object *self, Object *s) {
    size_t n = ((StrObject *)s)->nchars, len;
    wchar_t *w = mem_alloc((n ? n : 1) * sizeof *w);
    if (!w) {
        error_no_memory();
        return -1;
    }
    const char *p = str_data(s);
    for (size_t i = 0; i < n; i++, p += len) w[i] = (wchar_t)str_utf8_decode(p, &len);
    size_t end = AR(self)->size;
    int rc = array_splice(self, end, end, (const char *)w, n);
    mem_free(w, (n ? n : 1) * sizeof *w);
    return rc;
}

static Object *array_construct(Type *type, Object *const *args, size_t nargs, Object *kwnames) {
    (void)type;
    if (kwnames && tuple_size(kwnames))
        return error_set(&exc_TypeError, "array.array() takes no keyword arguments");
    if (nargs == 0 || nargs > 2)
        return error_set(&exc_TypeError, "array() takes %s (%zu given)",
                         nargs ? "at most 2 arguments" : "at least 1 argument", nargs);
    Object *tc = args[0];
    if (!is_str(tc) || ((StrObject *)tc)->nchars != 1)
        return error_set(&exc_TypeError, "array() argument 1 must be a unicode character, not %s",
                         TYPE_NAME(tc));
    const ArrayDescr *d = str_len(tc) == 1 ? descr_for(str_data(tc)[0]) : NULL;
    if (!d)
        return error_set(&exc_ValueError,
                         "bad typecode (must be b, B, u, h, H, i, I, l, L, q, Q, f or d)");
    Object *init = nargs > 1 ? args[1] : NULL;
    if (init && is_str(init) && d->typecode != 'u')
        return error_set(&exc_TypeError, "cannot use a str to initialize an array with typecode '%c'",
                         d->typecode);
    Object *a = array_new_empty(d, 0);
    if (!a || !init) return a;
    int rc;
    if (is_str(init)) rc = extend_from_str(a, init);
    else if (is_array(init) && AR(init)->descr == d)
        rc = array_splice(a, 0, 0, AR(init)->items, AR(init)->size);
    else if (is_bytes(init) || TYPE(init) == &bytearray_type) rc = extend_from_bytes(a, init);
    else rc = extend_from_iterable(a, init);
    if (rc < 0) CLEAR(&a);
    return a;
}

/* ---- repr, compare ------------------------------------------------------------------ */

static Object *array_tolist_of(Object *self) {
    Object *list = list_new(0);
    for (size_t i = 0; list && i < AR(self)->size; i++) {
        Object *v = item_get(AR(self)->descr, AR(self)->items + i * ITEMSIZE(self));
        if (!v || list_append_steal(list, v) < 0) CLEAR(&list);
    }
    return list;
}

/* The characters of a 'u' array as a str. */
static Object *array_tounicode_of(Object *self) {
    StrBuilder b;
    str_builder_init(&b);
    for (size_t i = 0; i < AR(self)->size; i++) {
        wchar_t w;
        memcpy(&w, AR(self)->items + i * sizeof w, sizeof w);
        char utf8[4];
        str_builder_add(&b, utf8, str_utf8_encode((uint32_t)w, utf8));
    }
    return str_builder_finish(&b);
}

static Object *array_repr(Object *self) {
    char c = AR(self)->descr->typecode;
    if (AR(self)->size == 0) return str_from_format("array('%c')", c);
    Object *body = c == 'u' ? array_tounicode_of(self) : array_tolist_of(self);
    Object *text = body ? object_repr(body) : NULL;
    XDECREF(body);
    if (!text) return NULL;
    Object *r = str_from_format("array('%c', %s)", c, str_data(text));
    DECREF(text);
    return r;
}

static int64_t array_unhashable(Object *self) {
    error_set(&exc_TypeError, "unhashable type: '%s'", TYPE_NAME(self));
    return -1;
}

/* Item i of a as an object (a new reference). */
static Object *array_item(Object *a, size_t i) {
    return item_get(AR(a)->descr, AR(a)->items + i * ITEMSIZE(a));
}

/* Arrays compare item by item, by value (an 'i' array can equal a 'd' one). */
static Object *array_richcompare(Object *a, Object *b, int op) {
    if (!is_array(a) || !is_array(b)) return NEWREF(NotImplemented);
    if ((op == CMP_EQ || op == CMP_NE) && AR(a)->size != AR(b)->size) return bool_from(op == CMP_NE);
    size_t i = 0;
    for (; i < AR(a)->size && i < AR(b)->size; i++) {
        Object *x = array_item(a, i), *y = x ? array_item(b, i) : NULL;
        int eq = y ? object_compare_bool(x, y, CMP_EQ) : -1;
        if (eq == 0) {
            Object *r = op == CMP_EQ ? bool_from(false) : op == CMP_NE ? bool_from(true)
                                                                      : object_compare(x, y, op);
            DECREF(x);
            DECREF(y);
            return r;
        }
        XDECREF(x);
        XDECREF(y);
        if (eq < 0) return NULL;
    }
    /* one is a prefix of the other: the lengths decide */
    return bool_from(compare_i64((int64_t)AR(a)->size, (int64_t)AR(b)->size, (CompareOp)op));
}

/* ---- Sequence behaviour -------------------------------------------------------------- */

static int64_t array_length(Object *self) { return (int64_t)AR(self)->size; }

static int index_of(Object *self, Object *key, int64_t *out, const char *range_msg) {
    if (!is_int(key) && !TYPE(key)->index && !type_lookup_cstr(TYPE(key), "__index__")) {
        error_set(&exc_TypeError, "array indices must be integers");
        return -1;
    }
    int64_t i;
    if (object_as_index(key, &i, NULL) < 0) return -1;
    if (i < 0) i += (int64_t)AR(self)->size;
    if (i < 0 || i >= (int64_t)AR(self)->size) {
        error_set(&exc_IndexError, "%s", range_msg);
        return -1;
    }
    *out = i;
    return 0;
}

static Object *array_getitem(Object *self, Object *key) {
    if (is_slice(key)) {
        int64_t start, stop, step, n;
        if (slice_indices(key, (int64_t)AR(self)->size, &start, &stop, &step, &n) < 0) return NULL;
        Object *r = array_new_empty(AR(self)->descr, (size_t)n);
        if (!r) return NULL;
        size_t isz = ITEMSIZE(self);
        for (int64_t i = 0; i < n; i++) {
            int64_t j = start + i * step; /* never past the last item: no overflow */
            memcpy(AR(r)->items + (size_t)i * isz, AR(self)->items + (size_t)j * isz, isz);
        }
        AR(r)->size = (size_t)n;
        return r;
    }
    int64_t i;
    if (index_of(self, key, &i, "array index out of range") < 0) return NULL;
    return array_item(self, (size_t)i);
}

static int assign_slice(Object *self, Object *slice, Object *value) {
    if (value && !is_array(value)) {
        error_set(&exc_TypeError, "can only assign array (not \"%s\") to array slice", TYPE_NAME(value));
        return -1;
    }
    if (value && AR(value)->descr != AR(self)->descr) {
        error_set(&exc_TypeError, "bad argument type for built-in operation");
        return -1;
    }
    int64_t start, stop, step, count;
    if (slice_indices(slice, (int64_t)AR(self)->size, &start, &stop, &step, &count) < 0) return -1;
    size_t n = value ? AR(value)->size : 0;
    if (step == 1) {
        if (stop < start) stop = start;
        return array_splice(self, (size_t)start, (size_t)stop, value ? AR(value)->items : NULL, n);
    }
    if (!value) return array_delete_strided(self, start, step, count);
    if ((int64_t)n != count) {
        error_set(&exc_ValueError, "attempt to assign array of size %zu to extended slice of size %lld",
                  n, (long long)count);
        return -1;
    }
    /* through a copy: value may be self */
    Object *copy = array_from_items(AR(value)->descr, AR(value)->items, n);
    if (!copy) return -1;
    array_set_strided(self, start, step, count, AR(copy)->items);
    DECREF(copy);
    return 0;
}

static int array_setitem(Object *self, Object *key, Object *value) {
    if (is_slice(key)) return assign_slice(self, key, value);
    int64_t i;
    char item[16];
    const char *range_msg = "array assignment index out of range";
    if (index_of(self, key, &i, range_msg) < 0) return -1;
    if (!value) return array_splice(self, (size_t)i, (size_t)i + 1, NULL, 0);
    if (item_set(AR(self)->descr, item, value) < 0) return -1;
    if ((size_t)i >= AR(self)->size) { /* converting the value shrank the array */
        error_set(&exc_IndexError, "%s", range_msg);
        return -1;
    }
    array_set_item(self, (size_t)i, item);
    return 0;
}

/* The first index in [lo, hi) whose item equals v, -1 if none, -2 on error. */
static int64_t find_item(Object *self, Object *v, size_t lo, size_t hi) {
    for (size_t i = lo; i < hi && i < AR(self)->size; i++) {
        Object *x = array_item(self, i);
        int eq = x ? object_compare_bool(x, v, CMP_EQ) : -1;
        XDECREF(x);
        if (eq != 0) return eq < 0 ? -2 : (int64_t)i;
    }
    return -1;
}

static int array_contains(Object *self, Object *v) {
    int64_t i = find_item(self, v, 0, AR(self)->size);
    return i == -2 ? -1 : i >= 0;
}

static Object *array_concat(Object *a, Object *b) {
    if (!is_array(a)) return NEWREF(NotImplemented);
    if (!is_array(b))
        return error_set(&exc_TypeError, "can only append array (not \"%s\") to array", TYPE_NAME(b));
    if (AR(a)->descr != AR(b)->descr)
        return error_set(&exc_TypeError, "bad argument type for built-in operation");
    Object *r = array_from_items(AR(a)->descr, AR(a)->items, AR(a)->size);
    if (r && array_splice(r, AR(r)->size, AR(r)->size, AR(b)->items, AR(b)->size) < 0) CLEAR(&r);
    return r;
}

static int repeat_count(Object *count, int64_t *n) {
    if (TYPE(count)->flags & TYPE_HEAP) return 0;
    if (!is_int(count) && !TYPE(count)->index) {
        error_set(&exc_TypeError, "can't multiply sequence by non-int of type '%s'", TYPE_NAME(count));
        return -1;
    }
    return object_as_index(count, n, NULL) < 0 ? -1 : 1;
}

static Object *array_repeat(Object *a, Object *b) {
    Object *seq = is_array(a) ? a : b, *count = is_array(a) ? b : a;
    int64_t n;
    int rc = repeat_count(count, &n);
    if (rc <= 0) return rc < 0 ? NULL : NEWREF(NotImplemented);
    Object *r = array_from_items(AR(seq)->descr, AR(seq)->items, AR(seq)->size);
    if (r && array_repeat_inplace(r, n) < 0) CLEAR(&r);
    return r;
}

/* a += b: b must be an array of the same typecode. */
static int extend_from_array(Object *self, Object *b) {
    if (AR(b)->descr != AR(self)->descr) {
        error_set(&exc_TypeError, "can only extend with array of same kind");
        return -1;
    }
    size_t end = AR(self)->size;
    return array_splice(self, end, end, AR(b)->items, AR(b)->size);
}

static Object *array_iadd(Object *a, Object *b) {
    if (!is_array(b))
        return error_set(&exc_TypeError, "can only extend array with array (not \"%s\")", TYPE_NAME(b));
    return extend_from_array(a, b) < 0 ? NULL : NEWREF(a);
}

static Object *array_imul(Object *a, Object *b) {
    int64_t n;
    int rc = repeat_count(b, &n);
    if (rc <= 0) return rc < 0 ? NULL : NEWREF(NotImplemented);
    return array_repeat_inplace(a, n) < 0 ? NULL : NEWREF(a);
}

/* ---- The buffer protocol ------------------------------------------------------------------ */

static int array_getbuffer(Object *self, Buffer *view) {
    ArrayObject *a = AR(self);
    a->exports++;
    buffer_fill(self, view, a->items ? a->items : (char *)"", a->size * a->descr->itemsize, false);
    view->itemsize = a->descr->itemsize;
    view->format = a->descr->format;
    return 0;
}

static void array_releasebuffer(Object *self, Buffer *view) {
    (void)view;
    AR(self)->exports--;
}

/* ---- Methods ------------------------------------------------------------------------------- */

static Object *array_append(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (args_check("array.append", nargs, kwnames, 1, 1) < 0) return NULL;
    char item[16];
    if (item_set(AR(self)->descr, item, args[0]) < 0) return NULL;
    size_t end = AR(self)->size;
    return array_splice(self, end, end, item, 1) < 0 ? NULL : NEWREF(None);
}

static Object *array_extend(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (args_check("array.extend", nargs, kwnames, 1, 1) < 0) return NULL;
    int rc = is_array(args[0]) ? extend_from_array(self, args[0]) : extend_from_iterable(self, args[0]);
    return rc < 0 ? NULL : NEWREF(None);
}

static Object *array_insert(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (args_check("array.insert", nargs, kwnames, 2, 2) < 0) return NULL;
    int64_t i;
    char item[16];
    if (object_as_index(args[0], &i, NULL) < 0 || item_set(AR(self)->descr, item, args[1]) < 0)
        return NULL;
    int64_t n = (int64_t)AR(self)->size;
    if (i < 0 && (i += n) < 0) i = 0;
    if (i > n) i = n;
    return array_splice(self, (size_t)i, (size_t)i, item, 1) < 0 ? NULL : NEWREF(None);
}

static Object *array_pop(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (args_check("array.pop", nargs, kwnames, 0, 1) < 0) return NULL;
    int64_t i = -1;
    if (nargs && object_as_index(args[0], &i, NULL) < 0) return NULL;
    int64_t n = (int64_t)AR(self)->size;
    if (n == 0) return error_set(&exc_IndexError, "pop from empty array");
    if (i < 0) i += n;
    if (i < 0 || i >= n) return error_set(&exc_IndexError, "pop index out of range");
    Object *v = array_item(self, (size_t)i);
    if (v && array_splice(self, (size_t)i, (size_t)i + 1, NULL, 0) < 0) CLEAR(&v);
    return v;
}

static Object *array_remove(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (args_check("array.remove", nargs, kwnames, 1, 1) < 0) return NULL;
    int64_t i = find_item(self, args[0], 0, AR(self)->size);
    if (i == -2) return NULL;
    if (i < 0) return error_set(&exc_ValueError, "array.remove(x): x not in array");
    return array_splice(self, (size_t)i, (size_t)i + 1, NULL, 0) < 0 ? NULL : NEWREF(None);
}

static Object *array_index(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (args_check("array.index", nargs, kwnames, 1, 3) < 0) return NULL;
    int64_t n = (int64_t)AR(self)->size, lo = 0, hi = n;
    if ((nargs > 1 && slice_clamp_index(args[1], n, &lo) < 0) ||
        (nargs > 2 && slice_clamp_index(args[2], n, &hi) < 0))
        return NULL;
    int64_t i = find_item(self, args[0], (size_t)lo, (size_t)(hi > lo ? hi : lo));
    if (i == -2) return NULL;
    if (i < 0) return error_set(&exc_ValueError, "array.index(x): x not in array");
    return int_from_i64(i);
}

static Object *array_count(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (args_check("array.count", nargs, kwnames, 1, 1) < 0) return NULL;
    int64_t count = 0;
    for (size_t i = 0; i < AR(self)->size; i++) {
        Object *x = array_item(self, i);
        int eq = x ? object_compare_bool(x, args[0], CMP_EQ) : -1;
        XDECREF(x);
        if (eq < 0) return NULL;
        count += eq;
    }
    return int_from_i64(count);
}

static Object *array_reverse(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("array.reverse", nargs, kwnames, 0, 0) < 0) return NULL;
    array_reverse_items(self);
    return NEWREF(None);
}

static Object *array_byteswap(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("array.byteswap", nargs, kwnames, 0, 0) < 0) return NULL;
    array_byteswap_items(self);
    return NEWREF(None);
}

static Object *array_tobytes(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("array.tobytes", nargs, kwnames, 0, 0) < 0) return NULL;
    return bytes_from_data(AR(self)->items ? AR(self)->items : "", AR(self)->size * ITEMSIZE(self));
}

static Object *array_frombytes(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (args_check("array.frombytes", nargs, kwnames, 1, 1) < 0) return NULL;
    return extend_from_bytes(self, args[0]) < 0 ? NULL : NEWREF(None);
}

static Object *array_tolist(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("array.tolist", nargs, kwnames, 0, 0) < 0) return NULL;
    return array_tolist_of(self);
}

/* fromlist: all or nothing, as CPython. */
static Object *array_fromlist(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (args_check("array.fromlist", nargs, kwnames, 1, 1) < 0) return NULL;
    if (!is_list(args[0])) return error_set(&exc_TypeError, "arg must be list");
    Object *tmp = array_new_empty(AR(self)->descr, 0);
    if (!tmp) return NULL;
    int rc = extend_from_iterable(tmp, args[0]);
    if (rc == 0) rc = extend_from_array(self, tmp);
    DECREF(tmp);
    return rc < 0 ? NULL : NEWREF(None);
}

static Object *array_tounicode(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("array.tounicode", nargs, kwnames, 0, 0) < 0) return NULL;
    if (AR(self)->descr->typecode != 'u')
        return error_set(&exc_ValueError, "tounicode() may only be called on unicode type arrays");
    return array_tounicode_of(self);
}

static Object *array_fromunicode(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (args_check("array.fromunicode", nargs, kwnames, 1, 1) < 0) return NULL;
    if (!is_str(args[0]))
        return error_set(&exc_TypeError, "fromunicode() argument must be str, not %s", TYPE_NAME(args[0]));
    if (AR(self)->descr->typecode != 'u')
        return error_set(&exc_ValueError, "fromunicode() may only be called on unicode type arrays");
    return extend_from_str(self, args[0]) < 0 ? NULL : NEWREF(None);
}

/* tofile(f): f.write(the bytes). */
static Object *array_tofile(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (args_check("array.tofile", nargs, kwnames, 1, 1) < 0) return NULL;
    Object *data = bytes_from_data(AR(self)->items ? AR(self)->items : "",
                                   AR(self)->size * ITEMSIZE(self));
    if (!data) return NULL;
    Object *r = object_call_method(args[0], "write", &data, 1);
    DECREF(data);
    if (!r) return NULL;
    DECREF(r);
    return NEWREF(None);
}

/* fromfile(f, n): n items read with f.read(); what was read is kept even
   when it is short (EOFError). */
static Object *array_fromfile(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (args_check("array.fromfile", nargs, kwnames, 2, 2) < 0) return NULL;
    int64_t n;
    if (object_as_index(args[1], &n, NULL) < 0) return NULL;
    if (n < 0) return error_set(&exc_ValueError, "negative count");
    if ((uint64_t)n > ((uint64_t)1 << 60) / ITEMSIZE(self)) return error_no_memory();
    Object *want = int_from_i64(n * (int64_t)ITEMSIZE(self));
    if (!want) return NULL;
    Object *data = object_call_method(args[0], "read", &want, 1);
    DECREF(want);
    if (!data) return NULL;
    if (!is_bytes(data)) {
        DECREF(data);
        return error_set(&exc_TypeError, "read() didn't return bytes");
    }
    size_t whole = bytes_size(data) / ITEMSIZE(self) * ITEMSIZE(self);
    size_t end = AR(self)->size;
    int rc = array_splice(self, end, end, bytes_data(data), whole / ITEMSIZE(self));
    bool short_read = bytes_size(data) < (size_t)n * ITEMSIZE(self);
    DECREF(data);
    if (rc < 0) return NULL;
    if (short_read) return error_set(&exc_EOFError, "read() didn't return enough bytes");
    return NEWREF(None);
}

/* (address, length): the address is the block's, as CPython reports it. */
static Object *array_buffer_info(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("array.buffer_info", nargs, kwnames, 0, 0) < 0) return NULL;
    Object *addr = int_from_i64((int64_t)(intptr_t)AR(self)->items);
    Object *len = int_from_i64((int64_t)AR(self)->size);
    Object *r = addr && len ? tuple_pack(2, addr, len) : NULL;
    XDECREF(addr);
    XDECREF(len);
    return r;
}

static Object *array_copy(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("array.__copy__", nargs, kwnames, 0, 0) < 0) return NULL;
    return array_from_items(AR(self)->descr, AR(self)->items, AR(self)->size);
}

/* __deepcopy__(memo): the items are numbers, so a copy is deep. */
static Object *array_deepcopy(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("array.__deepcopy__", nargs, kwnames, 1, 1) < 0) return NULL;
    return array_from_items(AR(self)->descr, AR(self)->items, AR(self)->size);
}

static Object *array_getattr(Object *self, Object *name) {
    const char *s = str_data(name);
    if (strcmp(s, "typecode") == 0) {
        char c = AR(self)->descr->typecode;
        return str_from_utf8(&c, 1);
    }
    if (strcmp(s, "itemsize") == 0) return int_from_i64((int64_t)ITEMSIZE(self));
    return object_generic_getattr(self, name);
}

/* ---- Iterator ------------------------------------------------------------------------------ */

typedef struct {
    Object base;
    Object *array;   /* owned; NULL once exhausted (toy-ft: kept, core/iterstate.h) */
    size_t index;    /* the next item; ITER_SPENT once exhausted in toy-ft */
} ArrayIterObject;

static Object *array_iter(Object *self) {
    ArrayIterObject *it = (ArrayIterObject *)object_alloc(&array_iterator_type, sizeof *it);
    if (!it) return NULL;
    it->array = NEWREF(self);
    return (Object *)it;
}

static Object *array_iter_next(Object *self) {
    ArrayIterObject *it = (ArrayIterObject *)self;
    Object *a = it->array;
    if (!a) return NULL;
    objlock_lock(a);
    size_t i = iter_index(&it->index);
    Object *r = NULL;
    if (i < AR(a)->size) {
        r = array_item(a, i);
        iter_set_index(&it->index, i + 1);
    }
    objlock_unlock(a);
    if (r || error_occurred()) return r;
    iter_exhaust(&it->array, &it->index); /* after unlocking */
    return NULL;
}

static Object *array_iter_self(Object *self) { return NEWREF(self); }

static void array_iter_dealloc(Object *self) {
    XDECREF(((ArrayIterObject *)self)->array);
    object_free(self, sizeof(ArrayIterObject));
}

/* ---- The types and the module ------------------------------------------------------------------ */

/* ---- The lock (toy-ft) ----------------------------------------------------------------------- */

#ifdef TOY_FREE_THREADED
/* a and b locked together when both are arrays, else the one that is. */
static void lock_pair(Object *a, Object *b) {
    Object *x = is_array(a) ? a : b, *y = is_array(b) ? b : x;
    objlock_lock2(x, y);
}

static void unlock_pair(Object *a, Object *b) {
    Object *x = is_array(a) ? a : b, *y = is_array(b) ? b : x;
    objlock_unlock2(x, y);
}

/* No other object's lock is taken while an array's is held (but the
   other array of a pair, in stripe order): with striped locks, holding one
   stripe while waiting for another in no fixed order can deadlock with a
   thread that holds them the other way round (two objects may share a
   stripe). So what builds a list or reads an iterable, a bytes-like
   object or a file runs outside the lock: */

/* self copied under its lock; fn (tolist, repr, tofile, ...) reads the
   private copy. */
static Object *array_snapshot(Object *self) {
    objlock_lock(self);
    Object *copy = array_from_items(AR(self)->descr, AR(self)->items, AR(self)->size);
    objlock_unlock(self);
    return copy;
}

#define SNAPSHOT_METHOD(fn)                                                               \
    static Object *fn##_locked(Object *self, Object *const *args, size_t nargs,          \
                               Object *kwnames) {                                        \
        Object *copy = array_snapshot(self);                                              \
        if (!copy) return NULL;                                                           \
        Object *r = fn(copy, args, nargs, kwnames);                                       \
        DECREF(copy);                                                                     \
        return r;                                                                         \
    }

/* extend and the from* methods: the argument converted into a private
   array unlocked, whose items (those converted before an error, too, as
   the method appends them) are then appended under both locks. An array
   argument is read under its own lock, paired with self's. */
#define FROM_METHOD(fn)                                                                   \
    static Object *fn##_locked(Object *self, Object *const *args, size_t nargs,          \
                               Object *kwnames) {                                        \
        if (nargs && is_array(args[0])) {                                                 \
            lock_pair(self, args[0]);                                                     \
            Object *r = fn(self, args, nargs, kwnames);                                   \
            unlock_pair(self, args[0]);                                                   \
            return r;                                                                     \
        }                                                                                 \
        Object *tmp = array_new_empty(AR(self)->descr, 0);                                \
        if (!tmp) return NULL;                                                            \
        Object *r = fn(tmp, args, nargs, kwnames);                                        \
        if (AR(tmp)->size) {                                                              \
            lock_pair(self, tmp);                                                         \
            int rc = extend_from_array(self, tmp);                                        \
            unlock_pair(self, tmp);                                                       \
            if (rc < 0 && r) CLEAR(&r);                                                   \
        }                                                                                 \
        DECREF(tmp);                                                                      \
        return r;                                                                         \
    }

/* A method: self, and its first argument when that is an array. */
#define LOCKED_METHOD(fn)                                                                 \
    static Object *fn##_locked(Object *self, Object *const *args, size_t nargs,          \
                               Object *kwnames) {                                        \
        Object *other = nargs && is_array(args[0]) ? args[0] : self;                      \
        lock_pair(self, other);                                                           \
        Object *r = fn(self, args, nargs, kwnames);                                       \
        unlock_pair(self, other);                                                         \
        return r;                                                                         \
    }
FROM_METHOD(array_extend)
LOCKED_METHOD(array_reverse)
LOCKED_METHOD(array_byteswap)
LOCKED_METHOD(array_tobytes)
FROM_METHOD(array_frombytes)
SNAPSHOT_METHOD(array_tolist)
FROM_METHOD(array_fromlist)
SNAPSHOT_METHOD(array_tounicode)
FROM_METHOD(array_fromunicode)
SNAPSHOT_METHOD(array_tofile)
FROM_METHOD(array_fromfile)
LOCKED_METHOD(array_buffer_info)
LOCKED_METHOD(array_copy)
LOCKED_METHOD(array_deepcopy)
#undef LOCKED_METHOD
#undef FROM_METHOD
#undef SNAPSHOT_METHOD
#define LM(fn) fn##_locked

#define LOCKED_BINARY(fn)                                                                 \
    static Object *fn##_locked(Object *a, Object *b) {                                    \
        lock_pair(a, b);                                                                  \
        Object *r = fn(a, b);                                                             \
        unlock_pair(a, b);                                                                \
        return r;                                                                         \
    }
LOCKED_BINARY(array_concat)
LOCKED_BINARY(array_repeat)
LOCKED_BINARY(array_iadd)
LOCKED_BINARY(array_imul)
#undef LOCKED_BINARY

static Object *array_richcompare_locked(Object *a, Object *b, int op) {
    lock_pair(a, b);
    Object *r = array_richcompare(a, b, op);
    unlock_pair(a, b);
    return r;
}

/* No Toy code runs under an array's lock either: an argument whose
   conversion would run it (an __index__, a __float__) is converted first,
   and a search for a value that is not plain (object_is_plain) reads each
   item under the lock and compares it without, reading the size again at
   each step, as CPython's loop does with the GIL let go around __eq__. */

/* o, or its __index__'s result when it has one (an int stays as it is). */
static Object *index_now(Object *o) {
    if (is_int(o) || (!TYPE(o)->index && !type_lookup_cstr(TYPE(o), "__index__"))) return NEWREF(o);
    return object_index(o);
}

/* A subscript with its bounds converted: step first, as slice_unpack does,
   and nothing after a zero step (whose error comes first). */
static Object *key_now(Object *key) {
    if (!is_slice(key)) return index_now(key);
    SliceObject *s = (SliceObject *)key;
    Object *in[3] = {s->step, s->start, s->stop}, *out[3] = {NULL, NULL, NULL};
    bool plain = true;
    for (int i = 0; i < 3; i++) plain = plain && (in[i] == None || is_int(in[i]));
    if (plain) return NEWREF(key);
    Object *r = NULL;
    for (int i = 0; i < 3; i++) {
        bool zero_step = i > 0 && is_int(out[0]) && int_is_small(out[0]) && int_value(out[0]) == 0;
        out[i] = in[i] == None || zero_step ? NEWREF(in[i]) : index_now(in[i]);
        if (!out[i]) goto done;
    }
    r = slice_new(out[1], out[2], out[0]);
done:
    for (int i = 0; i < 3; i++) XDECREF(out[i]);
    return r;
}

/* v as a value whose conversion to an item of self runs no Toy code. */
static Object *item_now(Object *self, Object *v) {
    char c = AR(self)->descr->typecode;
    if (c == 'u' || object_is_plain(v)) return NEWREF(v);
    if (c == 'f' || c == 'd') {
        double x;
        return object_as_double(v, &x) < 0 ? NULL : float_from_double(x);
    }
    return object_index(v);
}

/* Item i read under the lock into *x: 1, 0 past the end, -1 on an error. */
static int item_at(Object *self, size_t i, Object **x) {
    objlock_lock(self);
    bool past = i >= AR(self)->size;
    *x = past ? NULL : array_item(self, i);
    objlock_unlock(self);
    return past ? 0 : *x ? 1 : -1;
}

/* find_item for a v that is not plain. */
static int64_t find_item_unlocked(Object *self, Object *v, size_t lo, size_t hi) {
    for (size_t i = lo; i < hi; i++) {
        Object *x;
        int rc = item_at(self, i, &x);
        if (rc <= 0) return rc < 0 ? -2 : -1;
        int eq = object_compare_bool(x, v, CMP_EQ);
        DECREF(x);
        if (eq != 0) return eq < 0 ? -2 : (int64_t)i;
    }
    return -1;
}

/* fn(self, args) under self's lock, args[i] replaced by conv[i] (new
   references, released here). */
static Object *call_locked(Object *self, Object *(*fn)(Object *, Object *const *, size_t, Object *),
                           Object **conv, size_t nargs) {
    Object *r = NULL;
    bool ok = true;
    for (size_t i = 0; i < nargs; i++) ok = ok && conv[i];
    if (ok) {
        objlock_lock(self);
        r = fn(self, conv, nargs, NULL);
        objlock_unlock(self);
    }
    for (size_t i = 0; i < nargs; i++) XDECREF(conv[i]);
    return r;
}

static Object *array_append_locked(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (args_check("array.append", nargs, kwnames, 1, 1) < 0) return NULL;
    Object *conv[1] = {item_now(self, args[0])};
    return call_locked(self, array_append, conv, 1);
}

static Object *array_insert_locked(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (args_check("array.insert", nargs, kwnames, 2, 2) < 0) return NULL;
    Object *conv[2] = {index_now(args[0]), NULL};
    if (conv[0]) conv[1] = item_now(self, args[1]);
    return call_locked(self, array_insert, conv, 2);
}

static Object *array_pop_locked(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (args_check("array.pop", nargs, kwnames, 0, 1) < 0) return NULL;
    Object *conv[1] = {nargs ? index_now(args[0]) : NULL};
    return call_locked(self, array_pop, conv, nargs);
}

/* fn(self, args) under self's lock, for a plain value (its compares run
   no Toy code). */
static Object *call_plain_locked(Object *self, Object *(*fn)(Object *, Object *const *, size_t, Object *),
                                 Object *const *args, size_t nargs) {
    objlock_lock(self);
    Object *r = fn(self, args, nargs, NULL);
    objlock_unlock(self);
    return r;
}

static Object *array_count_locked(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (args_check("array.count", nargs, kwnames, 1, 1) < 0) return NULL;
    if (object_is_plain(args[0])) return call_plain_locked(self, array_count, args, 1);
    int64_t count = 0, i;
    for (size_t lo = 0; (i = find_item_unlocked(self, args[0], lo, SIZE_MAX)) >= 0; lo = (size_t)i + 1)
        count++;
    return i == -2 ? NULL : int_from_i64(count);
}

static Object *array_index_locked(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (args_check("array.index", nargs, kwnames, 1, 3) < 0) return NULL;
    Object *conv[3] = {NEWREF(args[0]), NULL, NULL};
    for (size_t i = 1; i < nargs && conv[i - 1]; i++) conv[i] = index_now(args[i]);
    if (object_is_plain(args[0]) || !conv[nargs - 1]) return call_locked(self, array_index, conv, nargs);
    objlock_lock(self);
    int64_t n = (int64_t)AR(self)->size, lo = 0, hi = n;
    objlock_unlock(self);
    Object *r = NULL;
    if ((nargs < 2 || slice_clamp_index(conv[1], n, &lo) == 0) &&
        (nargs < 3 || slice_clamp_index(conv[2], n, &hi) == 0)) {
        int64_t i = find_item_unlocked(self, args[0], (size_t)lo, (size_t)(hi > lo ? hi : lo));
        r = i >= 0 ? int_from_i64(i)
          : i == -1 ? error_set(&exc_ValueError, "array.index(x): x not in array") : NULL;
    }
    for (size_t i = 0; i < nargs; i++) DECREF(conv[i]);
    return r;
}

static Object *array_remove_locked(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (args_check("array.remove", nargs, kwnames, 1, 1) < 0) return NULL;
    if (object_is_plain(args[0])) return call_plain_locked(self, array_remove, args, 1);
    int64_t i = find_item_unlocked(self, args[0], 0, SIZE_MAX);
    if (i == -2) return NULL;
    if (i < 0) return error_set(&exc_ValueError, "array.remove(x): x not in array");
    objlock_lock(self);
    int rc = (size_t)i < AR(self)->size ? array_splice(self, (size_t)i, (size_t)i + 1, NULL, 0) : 0;
    objlock_unlock(self);
    return rc < 0 ? NULL : NEWREF(None);
}

static int array_contains_locked(Object *self, Object *v) {
    if (!object_is_plain(v)) {
        int64_t i = find_item_unlocked(self, v, 0, SIZE_MAX);
        return i == -2 ? -1 : i >= 0;
    }
    objlock_lock(self);
    int r = array_contains(self, v);
    objlock_unlock(self);
    return r;
}

static Object *array_getitem_locked(Object *self, Object *key) {
    Object *k = key_now(key);
    if (!k) return NULL;
    objlock_lock(self);
    Object *r = array_getitem(self, k);
    objlock_unlock(self);
    DECREF(k);
    return r;
}

/* The index is checked before the value is converted, as the GIL build
   does (its IndexError comes before the value's error), and again with
   the value in hand. A slice's value is an array, read under its own lock
   paired with self's. */
static int array_setitem_locked(Object *self, Object *key, Object *value) {
    Object *k = key_now(key), *v = NULL;
    if (!k) return -1;
    int r = -1;
    if (value && !is_slice(k) && !is_array(value) && AR(self)->descr->typecode != 'u' &&
        !object_is_plain(value)) {
        int64_t i;
        objlock_lock(self);
        r = index_of(self, k, &i, "array assignment index out of range");
        objlock_unlock(self);
        v = r < 0 ? NULL : item_now(self, value);
    } else {
        v = value ? NEWREF(value) : NULL;
    }
    if (value && !v) {
        DECREF(k);
        return -1;
    }
    Object *other = v ? v : self;
    lock_pair(self, other);
    r = array_setitem(self, k, v);
    unlock_pair(self, other);
    DECREF(k);
    XDECREF(v);
    return r;
}

static int64_t array_length_locked(Object *self) {
    objlock_lock(self);
    int64_t n = array_length(self);
    objlock_unlock(self);
    return n;
}

static Object *array_repr_locked(Object *self) {
    Object *copy = array_snapshot(self);
    if (!copy) return NULL;
    Object *r = array_repr(copy);
    DECREF(copy);
    return r;
}

static int array_getbuffer_locked(Object *self, Buffer *view) {
    objlock_lock(self);
    int r = array_getbuffer(self, view);
    objlock_unlock(self);
    return r;
}

static void array_releasebuffer_locked(Object *self, Buffer *view) {
    objlock_lock(self);
    array_releasebuffer(self, view);
    objlock_unlock(self);
}
#define LOCKED_SLOT(fn) fn##_locked
#else
#define LM(fn) fn
#define LOCKED_SLOT(fn) fn
#endif

static const MethodDef array_methods[] = {
    {"append", LM(array_append), "Append new value v to the end of the array."},
    {"extend", LM(array_extend), "Append items to the end of the array."},
    {"insert", LM(array_insert), "Insert a new item v into the array before position i."},
    {"pop", LM(array_pop), "Return the i-th element and delete it from the array."},
    {"remove", LM(array_remove), "Remove the first occurrence of v in the array."},
    {"index", LM(array_index), "Return index of first occurrence of v in the array."},
    {"count", LM(array_count), "Return number of occurrences of v in the array."},
    {"reverse", LM(array_reverse), "Reverse the order of the items in the array."},
    {"byteswap", LM(array_byteswap), "Byteswap all items of the array."},
    {"tobytes", LM(array_tobytes), "Convert the array to an array of machine values and return the bytes representation."},
    {"frombytes", LM(array_frombytes), "Appends items from the string, interpreting it as an array of machine values."},
    {"tolist", LM(array_tolist), "Convert array to an ordinary list with the same items."},
    {"fromlist", LM(array_fromlist), "Append items to array from list."},
    {"tounicode", LM(array_tounicode), "Extends this array with data from the unicode string ustr."},
    {"fromunicode", LM(array_fromunicode), "Extends this array with data from the unicode string ustr."},
    {"tofile", LM(array_tofile), "Write all items (as machine values) to the file object f."},
    {"fromfile", LM(array_fromfile), "Read n objects from the file object f and append them to the end of the array."},
    {"buffer_info", LM(array_buffer_info), "Return a tuple (address, length) giving the current memory address and the length in items."},
    {"__copy__", LM(array_copy), "Return a copy of the array."},
    {"__deepcopy__", LM(array_deepcopy), "Return a copy of the array."},
    {NULL, NULL, NULL},
};

Type array_type = {
    TYPE_HEAD_INIT,
    .flags = TYPE_BASE_IN_CPYTHON,
    .name = "array.array",
    .base_type = &object_type,
    .instance_size = sizeof(ArrayObject),
    .methods = array_methods,
    .dealloc = array_dealloc,
    .repr = LOCKED_SLOT(array_repr),
    .hash = array_unhashable,
    .richcompare = LOCKED_SLOT(array_richcompare),
    .construct = array_construct,
    .getattr = array_getattr,
    .iter = array_iter,
    .len = LOCKED_SLOT(array_length),
    .getitem = LOCKED_SLOT(array_getitem),
    .setitem = LOCKED_SLOT(array_setitem),
    .contains = LOCKED_SLOT(array_contains),
    .binary = {[BINOP_ADD] = LOCKED_SLOT(array_concat), [BINOP_MUL] = LOCKED_SLOT(array_repeat)},
    .inplace = {[BINOP_ADD] = LOCKED_SLOT(array_iadd), [BINOP_MUL] = LOCKED_SLOT(array_imul)},
    .getbuffer = LOCKED_SLOT(array_getbuffer),
    .releasebuffer = LOCKED_SLOT(array_releasebuffer),
};

Type array_iterator_type = {
    TYPE_HEAD_INIT,
    .name = "arrayiterator",
    .base_type = &object_type,
    .instance_size = sizeof(ArrayIterObject),
    .dealloc = array_iter_dealloc,
    .iter = array_iter_self,
    .iternext = array_iter_next,
};

Object *array_module_init(void) {
    Object *m = module_new("array");
    if (!m) return NULL;
    Object *codes = str_from_cstr("bBuhHiIlLqQfd");
    int rc = codes ? module_add_object(m, "typecodes", codes) : -1;
    XDECREF(codes);
    if (rc < 0 || module_add_object(m, "array", (Object *)&array_type) < 0 ||
        module_add_object(m, "ArrayType", (Object *)&array_type) < 0) {
        DECREF(m);
        return NULL;
    }
    return m;
}
