/* memoryview.c - the memoryview type and its iterator (see memoryview.h).
 *
 * Invariants:
 *   - view.obj is NULL exactly when the view has been released; every
 *     operation but release, ==, repr and the context-manager exit checks
 *     that first ("operation forbidden on released memoryview object").
 *   - Item i lives at start + i * stride, for 0 <= i < length; stride is a
 *     multiple of itemsize; a view is contiguous when stride == itemsize
 *     (or it has at most one item).
 *   - format is static text, so views never own it.
 *   - toy-ft (core/objlock.h): a view's layout fields are fixed when it is
 *     made; what changes is view.obj (release) and exports. Both, and every
 *     read or write of the memory through the view, happen under the view's
 *     lock, so a release on one thread waits for a read on another to end,
 *     and the export it gives back (which lets a bytearray resize) is given
 *     back after the last access. The view's lock is never held while a
 *     buffer is taken or released (those lock the exporter, a bytearray,
 *     whose own methods take views under its lock): release detaches the
 *     buffer under the lock and releases it after; view_copy takes its new
 *     export unlocked and checks the view is still live afterwards.
 */
#include "objects/memoryview.h"

#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/objlock.h"
#include "core/iterstate.h"
#include "core/refcount.h"
#include "objects/abstract.h"
#include "objects/bytes.h"
#include "objects/bytesmethods.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/float.h"
#include "objects/int.h"
#include "objects/list.h"
#include "objects/range.h"
#include "objects/str.h"
#include "objects/tuple.h"

#define MV(o) ((MemoryViewObject *)(o))

/* ---- Helpers ------------------------------------------------------------------- */

static int released_error(void) {
    error_set(&exc_ValueError, "operation forbidden on released memoryview object");
    return -1;
}

/* 0 when m can be used, else -1 with the ValueError. */
static int check_live(Object *m) {
    objlock_lock(m);
    bool live = MV(m)->view.obj != NULL;
    objlock_unlock(m);
    return live ? 0 : released_error();
}

/* Lock m when it is live (0), else -1 with the ValueError, unlocked. */
static int lock_live(Object *m) {
    objlock_lock(m);
    if (MV(m)->view.obj) return 0;
    objlock_unlock(m);
    return released_error();
}

static bool is_contiguous(MemoryViewObject *m) {
    return m->length <= 1 || m->stride == (int64_t)m->itemsize;
}

/* The single native format character of a format ("B", "@i"), or 0 when it
   is anything else (the 'w' of an array of 'u', say). */
static char format_char(const char *format) {
    if (format[0] == '@') format++;
    if (!format[0] || format[1] || !buffer_native_size(format[0])) return 0;
    return format[0];
}

static char *item_at(MemoryViewObject *m, int64_t i) { return m->start + i * m->stride; }

/* Item i as an object. */
static Object *unpack_item(MemoryViewObject *m, int64_t i) {
    char c = format_char(m->format);
    if (!c || c == 'e')
        return error_set(&exc_NotImplementedError, "memoryview: format %s not supported", m->format);
    return buffer_native_unpack(c, item_at(m, i));
}

/* A new view of the same memory as m (and the same export target), with
   the layout fields copied; the caller adjusts them. */
static MemoryViewObject *view_copy(MemoryViewObject *m) {
    if (lock_live((Object *)m) < 0) return NULL;
    Object *target = NEWREF(m->view.obj);
    objlock_unlock(m);
    MemoryViewObject *r = (MemoryViewObject *)object_alloc(&memoryview_type, sizeof *r);
    int rc = r ? buffer_get(target, &r->view) : -1;
    DECREF(target);
    if (rc < 0) {
        XDECREF(r);
        return NULL;
    }
    r->hash = -1;
    /* m still live: its export kept the memory in place all along */
    if (check_live((Object *)m) < 0) {
        DECREF(r);
        return NULL;
    }
    r->start = m->start;
    r->length = m->length;
    r->stride = m->stride;
    r->itemsize = m->itemsize;
    r->format = m->format;
    r->readonly = m->readonly;
    return r;
}

/* ---- Construction and release ------------------------------------------------------ */

static Object *memoryview_from_object(Object *obj) {
    if (is_memoryview(obj)) {
        if (check_live(obj) < 0) return NULL;
        return (Object *)view_copy(MV(obj));
    }
    if (!buffer_supported(obj))
        return error_set(&exc_TypeError, "memoryview: a bytes-like object is required, not '%s'",
                         TYPE_NAME(obj));
    MemoryViewObject *r = (MemoryViewObject *)object_alloc(&memoryview_type, sizeof *r);
    if (!r) return NULL;
    r->hash = -1;
    if (buffer_get(obj, &r->view) < 0) {
        DECREF(r);
        return NULL;
    }
    r->start = r->view.data;
    r->itemsize = r->view.itemsize ? r->view.itemsize : 1;
    r->length = (int64_t)(r->view.len / r->itemsize);
    r->stride = (int64_t)r->itemsize;
    r->format = r->view.format ? r->view.format : "B";
    r->readonly = r->view.readonly;
    return (Object *)r;
}

static Object *memoryview_construct(Type *type, Object *const *args, size_t nargs, Object *kwnames) {
    (void)type;
    static const char *const names[] = {"object", NULL};
    Object *a[1];
    if (nargs > 1) /* CPython's wording for a one-parameter constructor */
        return error_set(&exc_TypeError, "memoryview() takes at most 1 argument (%zu given)", nargs);
    if (args_parse("memoryview", args, nargs, kwnames, names, 1, a) < 0) return NULL;
    return memoryview_from_object(a[0]);
}

static void memoryview_dealloc(Object *self) {
    buffer_release(&MV(self)->view);
    object_free(self, sizeof(MemoryViewObject));
}

static Object *memoryview_release(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("memoryview.release", nargs, kwnames, 0, 0) < 0) return NULL;
    MemoryViewObject *m = MV(self);
    objlock_lock(self);
    int64_t exports = m->exports;
    Buffer view = m->view;
    if (exports == 0) m->view.obj = NULL; /* detached: released below */
    objlock_unlock(self);
    if (exports > 0)
        return error_set(&exc_BufferError, "memoryview has %lld exported buffer%s",
                         (long long)exports, exports == 1 ? "" : "s");
    buffer_release(&view);
    return NEWREF(None);
}

static Object *memoryview_enter(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("memoryview.__enter__", nargs, kwnames, 0, 0) < 0) return NULL;
    if (check_live(self) < 0) return NULL;
    return NEWREF(self);
}

static Object *memoryview_exit(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    (void)nargs;
    (void)kwnames;
    return memoryview_release(self, NULL, 0, NULL);
}

/* ---- Reading ------------------------------------------------------------------------ */

static void copy_items_out(MemoryViewObject *m, char *out) {
    if (is_contiguous(m)) {
        memcpy(out, m->start, (size_t)m->length * m->itemsize);
        return;
    }
    for (int64_t i = 0; i < m->length; i++)
        memcpy(out + (size_t)i * m->itemsize, item_at(m, i), m->itemsize);
}

Object *memoryview_tobytes(Object *self) {
    if (lock_live(self) < 0) return NULL;
    MemoryViewObject *m = MV(self);
    Object *r = bytes_new_raw((size_t)m->length * m->itemsize);
    if (r) copy_items_out(m, (char *)bytes_data(r));
    objlock_unlock(self);
    return r;
}

static Object *memoryview_tobytes_method(Object *self, Object *const *args, size_t nargs,
                                         Object *kwnames) {
    static const char *const names[] = {"order", NULL};
    Object *a[1];
    if (args_parse("tobytes", args, nargs, kwnames, names, 0, a) < 0) return NULL;
    if (a[0] && a[0] != None) {
        const char *o = is_str(a[0]) ? str_data(a[0]) : "";
        if (strcmp(o, "C") != 0 && strcmp(o, "F") != 0 && strcmp(o, "A") != 0)
            return error_set(&exc_ValueError, "order must be 'C', 'F' or 'A'");
    }
    return memoryview_tobytes(self);
}

static Object *memoryview_tolist(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("memoryview.tolist", nargs, kwnames, 0, 0) < 0) return NULL;
    MemoryViewObject *m = MV(self);
    /* the items copied under the lock, the list built after (its own lock) */
    Object *data = memoryview_tobytes(self);
    if (!data) return NULL;
    char c = format_char(m->format);
    if (m->length && (!c || c == 'e')) {
        DECREF(data);
        return error_set(&exc_NotImplementedError, "memoryview: format %s not supported", m->format);
    }
    Object *list = list_new(0);
    for (int64_t i = 0; list && i < m->length; i++) {
        Object *item = buffer_native_unpack(c, bytes_data(data) + (size_t)i * m->itemsize);
        if (!item || list_append_steal(list, item) < 0) CLEAR(&list);
    }
    DECREF(data);
    return list;
}

static Object *memoryview_hex(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    Object *data = memoryview_tobytes(self);
    if (!data) return NULL;
    Object *r = bytesmethods_hex_of(bytes_data(data), bytes_size(data), args, nargs, kwnames);
    DECREF(data);
    return r;
}

static Object *memoryview_toreadonly(Object *self, Object *const *args, size_t nargs,
                                     Object *kwnames) {
    (void)args;
    if (args_check("memoryview.toreadonly", nargs, kwnames, 0, 0) < 0) return NULL;
    if (check_live(self) < 0) return NULL;
    MemoryViewObject *r = view_copy(MV(self));
    if (r) r->readonly = true;
    return (Object *)r;
}

/* ---- cast -------------------------------------------------------------------------- */

/* The static text of a cast's format: "I" or "@I". */
static const char *cast_format_text(const char *given) {
    static const char codes[] = "cbB?hHiIlLqQnNfdP";
    static const char *const plain[] = {"c", "b", "B", "?", "h", "H", "i", "I", "l", "L", "q",
                                        "Q", "n", "N", "f", "d", "P"};
    static const char *const at[] = {"@c", "@b", "@B", "@?", "@h", "@H", "@i", "@I", "@l", "@L",
                                     "@q", "@Q", "@n", "@N", "@f", "@d", "@P"};
    bool prefixed = given[0] == '@';
    const char *code = given + prefixed;
    if (!code[0] || code[1]) return NULL;
    const char *hit = strchr(codes, code[0]);
    if (!hit) return NULL;
    return prefixed ? at[hit - codes] : plain[hit - codes];
}

static bool is_byte_format(const char *format) {
    char c = format_char(format);
    return c == 'B' || c == 'b' || c == 'c';
}

/* cast(format, shape=None): the shape's product must be the item count;
   Toy's views have one dimension, so a shape of more is refused. */
static int cast_shape_check(Object *shape, int64_t length) {
    if (!shape || shape == None) return 0;
    if (!is_list(shape) && !is_tuple(shape)) {
        error_set(&exc_TypeError, "shape must be a list or a tuple");
        return -1;
    }
    size_t n = is_list(shape) ? list_size(shape) : tuple_size(shape);
    int64_t product = 1;
    for (size_t i = 0; i < n; i++) {
        int64_t v;
        Object *dim = is_list(shape) ? list_item(shape, i) : tuple_item(shape, i);
        if (object_as_index(dim, &v, NULL) < 0) return -1;
        product = v > 0 && product <= INT64_MAX / v ? product * v : -1;
    }
    if (n == 0 || product != length) {
        error_set(&exc_TypeError, "memoryview: product(shape) * itemsize != buffer size");
        return -1;
    }
    if (n > 1) {
        error_set(&exc_NotImplementedError,
                  "Toy's memoryview has one dimension: cast() to a shape of %zu is not supported", n);
        return -1;
    }
    return 0;
}

static Object *memoryview_cast(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    static const char *const names[] = {"format", "shape", NULL};
    Object *a[2];
    if (args_parse("cast", args, nargs, kwnames, names, 1, a) < 0) return NULL;
    if (!is_str(a[0]))
        return error_set(&exc_TypeError, "cast() argument 'format' must be str, not %s",
                         arg_type_name(a[0]));
    if (check_live(self) < 0) return NULL;
    MemoryViewObject *m = MV(self);
    if (!is_contiguous(m))
        return error_set(&exc_TypeError, "memoryview: casts are restricted to C-contiguous views");
    const char *format = cast_format_text(str_data(a[0]));
    if (!format)
        return error_set(&exc_ValueError, "memoryview: destination format must be a native single "
                                          "character format prefixed with an optional '@'");
    if (!is_byte_format(format) && !is_byte_format(m->format))
        return error_set(&exc_TypeError, "memoryview: cannot cast between two non-byte formats");
    size_t nbytes = (size_t)m->length * m->itemsize;
    size_t itemsize = buffer_native_size(format_char(format));
    if (nbytes % itemsize != 0)
        return error_set(&exc_TypeError, "memoryview: length is not a multiple of itemsize");
    if (cast_shape_check(a[1], (int64_t)(nbytes / itemsize)) < 0) return NULL;
    MemoryViewObject *r = view_copy(m);
    if (!r) return NULL;
    r->format = format;
    r->itemsize = itemsize;
    r->length = (int64_t)(nbytes / itemsize);
    r->stride = (int64_t)itemsize;
    return (Object *)r;
}

/* ---- Items and slices ---------------------------------------------------------------- */

static int64_t memoryview_length(Object *self) {
    if (check_live(self) < 0) return -1;
    return MV(self)->length;
}

/* The subscript as an item index (1), a slice (0), or -1 with an error. */
static int subscript_kind(Object *key, int64_t length, int64_t *index) {
    if (is_tuple(key) && tuple_size(key) == 0) {
        error_set(&exc_NotImplementedError, "sub-views are not implemented");
        return -1;
    }
    if (is_tuple(key) && tuple_size(key) == 1) key = tuple_item(key, 0);
    if (is_slice(key)) return 0;
    if (!is_int(key) && !TYPE(key)->index) {
        error_set(&exc_TypeError, "memoryview: invalid slice key");
        return -1;
    }
    if (object_as_index(key, index, NULL) < 0) return -1;
    if (*index < 0) *index += length;
    if (*index < 0 || *index >= length) {
        error_set(&exc_IndexError, "index out of bounds on dimension 1");
        return -1;
    }
    return 1;
}

static Object *slice_view(MemoryViewObject *m, Object *slice) {
    int64_t start, stop, step, n;
    if (slice_indices(slice, m->length, &start, &stop, &step, &n) < 0) return NULL;
    MemoryViewObject *r = view_copy(m);
    if (!r) return NULL;
    r->start = item_at(m, start);
    r->length = n;
    r->stride = m->stride * step;
    return (Object *)r;
}

static Object *memoryview_getitem(Object *self, Object *key) {
    if (check_live(self) < 0) return NULL;
    MemoryViewObject *m = MV(self);
    int64_t i;
    int kind = subscript_kind(key, m->length, &i);
    if (kind < 0) return NULL;
    if (kind == 0) return slice_view(m, is_tuple(key) ? tuple_item(key, 0) : key);
    /* the index converted (Toy code may have released m): read under the lock */
    if (lock_live(self) < 0) return NULL;
    Object *r = unpack_item(m, i);
    objlock_unlock(self);
    return r;
}

static int invalid_value(char c) {
    error_set(&exc_ValueError, "memoryview: invalid value for format '%c'", c);
    return -1;
}

static int invalid_type(char c) {
    error_set(&exc_TypeError, "memoryview: invalid type for format '%c'", c);
    return -1;
}

/* An integer item in [lo, hi] (signed) or [0, uhi] (unsigned) into *bits. */
static int pack_integer(char c, Object *v, bool is_signed, int64_t lo, int64_t hi, uint64_t uhi,
                        uint64_t *bits) {
    if (!is_int(v) && !TYPE(v)->index) return invalid_type(c);
    Object *i = object_index(v);
    if (!i) return -1;
    int64_t s;
    uint64_t u;
    IntRange64 range = int_range64(i, &s, &u);
    DECREF(i);
    if (range == INT_FITS_I64) {
        if (is_signed ? (s < lo || s > hi) : (s < 0 || (uint64_t)s > uhi)) return invalid_value(c);
        *bits = (uint64_t)s;
        return 0;
    }
    if (range == INT_FITS_U64 && !is_signed && u <= uhi) {
        *bits = u;
        return 0;
    }
    return invalid_value(c);
}

/* Writes v as an item of format c at p (native layout). */
static int pack_item(char c, char *p, Object *v) {
    uint64_t bits;
    switch (c) {
    case 'c':
        if (!is_bytes(v)) return invalid_type(c);
        if (bytes_size(v) != 1) return invalid_value(c);
        *p = bytes_data(v)[0];
        return 0;
    case '?': {
        int t = object_truth(v);
        if (t < 0) return -1;
        *p = (char)t;
        return 0;
    }
    case 'f': case 'd': {
        double d;
        if (!is_float(v) && !is_int(v) && !TYPE(v)->to_float) return invalid_type(c);
        if (float_as_double(v, &d) < 0) return -1;
        if (c == 'f') {
            float f = (float)d;
            memcpy(p, &f, sizeof f);
        } else {
            memcpy(p, &d, sizeof d);
        }
        return 0;
    }
    default: break;
    }
    size_t size = buffer_native_size(c);
    bool is_signed = c == 'b' || c == 'h' || c == 'i' || c == 'l' || c == 'q' || c == 'n';
    int64_t hi = size == 8 ? INT64_MAX : (int64_t)((1ull << (8 * size - 1)) - 1);
    uint64_t uhi = size == 8 ? UINT64_MAX : (1ull << (8 * size)) - 1;
    if (pack_integer(c, v, is_signed, -hi - 1, hi, uhi, &bits) < 0) return -1;
    /* the low `size` bytes of the two's-complement value, in native order */
    uint8_t b1 = (uint8_t)bits;
    uint16_t b2 = (uint16_t)bits;
    uint32_t b4 = (uint32_t)bits;
    memcpy(p, size == 1 ? (void *)&b1 : size == 2 ? (void *)&b2 : size == 4 ? (void *)&b4 : (void *)&bits,
           size);
    return 0;
}

/* m[i:j] = value: a bytes-like value of the same format and length. */
static int assign_slice(MemoryViewObject *m, Object *slice, Object *value) {
    Buffer src;
    if (buffer_get(value, &src) < 0) return -1;
    Object *dst_obj = slice_view(m, slice);
    int rc = -1;
    if (dst_obj) {
        MemoryViewObject *dst = MV(dst_obj);
        const char *sf = src.format ? src.format : "B";
        if (format_char(sf) != format_char(dst->format) || src.itemsize != dst->itemsize ||
            (int64_t)(src.len / (src.itemsize ? src.itemsize : 1)) != dst->length) {
            error_set(&exc_ValueError, "memoryview assignment: lvalue and rvalue have different structures");
        } else if ((rc = 0), src.len) {
            /* through a copy: the source may overlap the destination */
            char *tmp = mem_alloc(src.len);
            if (!tmp) {
                rc = -1;
                error_no_memory();
            } else {
                memcpy(tmp, src.data, src.len);
                for (int64_t i = 0; i < dst->length; i++)
                    memcpy(item_at(dst, i), tmp + (size_t)i * dst->itemsize, dst->itemsize);
                mem_free(tmp, src.len);
            }
        }
        DECREF(dst_obj);
    }
    buffer_release(&src);
    return rc;
}

static int memoryview_setitem(Object *self, Object *key, Object *value) {
    if (check_live(self) < 0) return -1;
    MemoryViewObject *m = MV(self);
    if (m->readonly) {
        error_set(&exc_TypeError, "cannot modify read-only memory");
        return -1;
    }
    if (!value) {
        error_set(&exc_TypeError, "cannot delete memory");
        return -1;
    }
    int64_t i;
    int kind = subscript_kind(key, m->length, &i);
    if (kind < 0) return -1;
    if (kind == 0) return assign_slice(m, is_tuple(key) ? tuple_item(key, 0) : key, value);
    char c = format_char(m->format);
    if (!c || c == 'e') {
        error_set(&exc_NotImplementedError, "memoryview: format %s not supported", m->format);
        return -1;
    }
    /* packed into a scratch item first: the value's __index__ may release m */
    char item[16];
    if (pack_item(c, item, value) < 0) return -1;
    if (lock_live(self) < 0) return -1;
    memcpy(item_at(m, i), item, m->itemsize);
    objlock_unlock(self);
    return 0;
}

/* (item,) stealing item. */
static Object *one_tuple(Object *item) {
    if (!item) return NULL;
    Object *t = tuple_new(1);
    if (!t) {
        DECREF(item);
        return NULL;
    }
    tuple_set_steal(t, 0, item);
    return t;
}

/* ---- Attributes ------------------------------------------------------------------------ */

static Object *memoryview_getattr(Object *self, Object *name) {
    static const char *const attrs[] = {"obj", "nbytes", "readonly", "itemsize", "format", "ndim",
                                        "shape", "strides", "suboffsets", "c_contiguous",
                                        "f_contiguous", "contiguous", NULL};
    const char *s = str_data(name);
    size_t k = 0;
    while (attrs[k] && strcmp(s, attrs[k]) != 0) k++;
    if (!attrs[k]) return object_generic_getattr(self, name);
    MemoryViewObject *m = MV(self);
    if (k == 0) {
        if (lock_live(self) < 0) return NULL;
        Object *obj = NEWREF(m->view.obj);
        objlock_unlock(self);
        return obj;
    }
    if (check_live(self) < 0) return NULL;
    switch (k) {
    case 1: return int_from_i64(m->length * (int64_t)m->itemsize);
    case 2: return bool_from(m->readonly);
    case 3: return int_from_i64((int64_t)m->itemsize);
    case 4: return str_from_cstr(m->format);
    case 5: return int_from_i64(1);
    case 6: return one_tuple(int_from_i64(m->length));
    case 7: return one_tuple(int_from_i64(m->stride));
    case 8: return tuple_new(0);
    default: return bool_from(is_contiguous(m));
    }
}

/* ---- Compare, hash, repr ------------------------------------------------------------------ */

/* Item i of a buffer viewed with format fc, items of size step. */
static Object *buffer_item(const char *data, size_t i, size_t step, char fc) {
    return buffer_native_unpack(fc, data + i * step);
}

/* m == other: same length and item values (by each side's format). */
static int views_equal(MemoryViewObject *m, Buffer *other) {
    const char *of = other->format ? other->format : "B";
    size_t oitem = other->itemsize ? other->itemsize : 1;
    if ((int64_t)(other->len / oitem) != m->length) return 0;
    char mc = format_char(m->format), oc = format_char(of);
    if (mc == oc && (mc == 'B' || mc == 'b' || mc == 'c' || !mc) &&
        (mc || strcmp(m->format, of) == 0)) {
        for (int64_t i = 0; i < m->length; i++)
            if (memcmp(item_at(m, i), other->data + (size_t)i * oitem, m->itemsize) != 0) return 0;
        return 1;
    }
    if (!mc || !oc) return 0;
    for (int64_t i = 0; i < m->length; i++) {
        Object *a = buffer_native_unpack(mc, item_at(m, i));
        Object *b = a ? buffer_item(other->data, (size_t)i, oitem, oc) : NULL;
        int eq = b ? object_compare_bool(a, b, CMP_EQ) : -1;
        XDECREF(a);
        XDECREF(b);
        if (eq <= 0) return eq;
    }
    return 1;
}

static Object *memoryview_richcompare(Object *a, Object *b, int op) {
    if (op != CMP_EQ && op != CMP_NE) return NEWREF(NotImplemented);
    if (!is_memoryview(a)) { /* reflected: put the memoryview first */
        Object *t = a;
        a = b;
        b = t;
    }
    int eq;
    if (a == b) {
        eq = 1;
    } else if (check_live(a) < 0 || (is_memoryview(b) && check_live(b) < 0)) {
        error_clear();
        eq = 0;
    } else if (!buffer_supported(b)) {
        return NEWREF(NotImplemented);
    } else {
        Object *other = b;
        if (is_memoryview(b) && !is_contiguous(MV(b))) {
            if (!(other = memoryview_tobytes(b))) return NULL;
        } else {
            INCREF(other);
        }
        Buffer view;
        if (buffer_get(other, &view) < 0) {
            DECREF(other);
            return NULL;
        }
        /* a strided b was copied; keep its format for the items */
        if (other != b) {
            view.format = MV(b)->format;
            view.itemsize = MV(b)->itemsize;
        }
        if (lock_live(a) < 0) { /* released meanwhile: unequal */
            error_clear();
            eq = 0;
        } else {
            eq = views_equal(MV(a), &view);
            objlock_unlock(a);
        }
        buffer_release(&view);
        DECREF(other);
        if (eq < 0) return NULL;
    }
    return bool_from(op == CMP_EQ ? eq : !eq);
}

static int64_t memoryview_hash(Object *self) {
    MemoryViewObject *m = MV(self);
    if (m->hash != -1) return m->hash;
    if (check_live(self) < 0) return -1;
    if (!m->readonly) {
        error_set(&exc_ValueError, "cannot hash writable memoryview object");
        return -1;
    }
    if (!is_byte_format(m->format)) {
        error_set(&exc_ValueError, "memoryview: hashing is restricted to formats 'B', 'b' or 'c'");
        return -1;
    }
    Object *data = memoryview_tobytes(self);
    if (!data) return -1;
    m->hash = bytes_hash_data(bytes_data(data), bytes_size(data));
    DECREF(data);
    return m->hash;
}

static Object *memoryview_repr(Object *self) {
    if (check_live(self) < 0) {
        error_clear();
        return str_from_format("<released memory at %p>", (void *)self);
    }
    return str_from_format("<memory at %p>", (void *)self);
}

/* ---- The buffer protocol: a contiguous view lends its items ------------------------------------- */

static int memoryview_getbuffer(Object *self, Buffer *view) {
    MemoryViewObject *m = MV(self);
    if (!is_contiguous(m)) {
        if (check_live(self) < 0) return -1;
        error_set(&exc_BufferError, "memoryview: underlying buffer is not C-contiguous");
        return -1;
    }
    if (lock_live(self) < 0) return -1;
    m->exports++; /* m cannot be released from here on */
    objlock_unlock(self);
    buffer_fill(self, view, m->start, (size_t)m->length * m->itemsize, m->readonly);
    view->itemsize = m->itemsize;
    view->format = m->format;
    return 0;
}

static void memoryview_releasebuffer(Object *self, Buffer *view) {
    (void)view;
    objlock_lock(self);
    MV(self)->exports--;
    objlock_unlock(self);
}

/* ---- Iterator ------------------------------------------------------------------------------ */

typedef struct {
    Object base;
    Object *view;   /* the memoryview (owned); NULL once exhausted (toy-ft: kept,
                       core/iterstate.h) */
    size_t index;   /* the next item; ITER_SPENT once exhausted in toy-ft */
} MemoryIterObject;

static Object *memoryview_iter(Object *self) {
    if (check_live(self) < 0) return NULL;
    MemoryIterObject *it = (MemoryIterObject *)object_alloc(&memory_iterator_type, sizeof *it);
    if (!it) return NULL;
    it->view = NEWREF(self);
    return (Object *)it;
}

static Object *memory_iter_next(Object *self) {
    MemoryIterObject *it = (MemoryIterObject *)self;
    if (iter_spent(it->view, &it->index)) return NULL; /* even once released */
    if (lock_live(it->view) < 0) return NULL;
    Object *r = NULL;
    size_t i = iter_index(&it->index);
    if (i < (uint64_t)MV(it->view)->length) {
        r = unpack_item(MV(it->view), (int64_t)i);
        iter_set_index(&it->index, i + 1);
    }
    objlock_unlock(it->view);
    if (r || error_occurred()) return r;
    iter_exhaust(&it->view, &it->index);
    return NULL;
}

static Object *memory_iter_self(Object *self) { return NEWREF(self); }

static void memory_iter_dealloc(Object *self) {
    XDECREF(((MemoryIterObject *)self)->view);
    object_free(self, sizeof(MemoryIterObject));
}

/* ---- The types --------------------------------------------------------------------------------- */

/* copy and pickle refuse views, with CPython's words. */
static Object *memoryview_reduce_ex(Object *self, Object *const *args, size_t nargs,
                                    Object *kwnames) {
    (void)self;
    (void)args;
    (void)nargs;
    (void)kwnames;
    return error_set(&exc_TypeError, "cannot pickle memoryview objects");
}

static const MethodDef memoryview_methods[] = {
    {"release", memoryview_release, "Release the underlying buffer exposed by the memoryview object."},
    {"tobytes", memoryview_tobytes_method, "Return the data in the buffer as a byte string."},
    {"tolist", memoryview_tolist, "Return the data in the buffer as a list of elements."},
    {"hex", memoryview_hex, "Return the data in the buffer as a str of hexadecimal numbers."},
    {"toreadonly", memoryview_toreadonly, "Return a readonly version of the memoryview."},
    {"cast", memoryview_cast, "Cast a memoryview to a new format or shape."},
    {"__enter__", memoryview_enter, NULL},
    {"__reduce_ex__", memoryview_reduce_ex, NULL},
    {"__exit__", memoryview_exit, NULL},
    {NULL, NULL, NULL},
};

Type memoryview_type = {
    TYPE_HEAD_INIT,
    .name = "memoryview",
    .base_type = &object_type,
    .instance_size = sizeof(MemoryViewObject),
    .methods = memoryview_methods,
    .dealloc = memoryview_dealloc,
    .repr = memoryview_repr,
    .hash = memoryview_hash,
    .richcompare = memoryview_richcompare,
    .construct = memoryview_construct,
    .getattr = memoryview_getattr,
    .iter = memoryview_iter,
    .len = memoryview_length,
    .getitem = memoryview_getitem,
    .setitem = memoryview_setitem,
    .getbuffer = memoryview_getbuffer,
    .releasebuffer = memoryview_releasebuffer,
};

Type memory_iterator_type = {
    TYPE_HEAD_INIT,
    .name = "memory_iterator",
    .base_type = &object_type,
    .instance_size = sizeof(MemoryIterObject),
    .dealloc = memory_iter_dealloc,
    .iter = memory_iter_self,
    .iternext = memory_iter_next,
};
