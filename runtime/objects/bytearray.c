/* bytearray.c - the bytearray type: construction, the mutating methods and
 * operators, the buffer protocol, and the iterator. The methods shared with
 * bytes are in bytesmethods.c.
 *
 * Invariants:
 *   - start + size <= capacity; block is NULL exactly when capacity is 0.
 *   - Only the functions of the "Mutation" section below write to the
 *     block or change start/size/capacity. Everything else reads through
 *     bytearray_data/bytearray_size, and converts its arguments before it
 *     reads (converting can run Toy code, which may change the bytearray).
 *   - toy-ft (core/objlock.h): every read or write of the block, start,
 *     size and exports here holds the bytearray's lock, from the size read
 *     to the splice that uses it (the stripe is recursive, so the mutation
 *     functions lock again harmlessly). The export count is changed under
 *     the lock too, so a resize cannot slip between a view being taken and
 *     its check. The methods shared with bytes (bytesmethods.c) read a
 *     copy of self taken under the lock. No other object's lock is taken
 *     while a bytearray's is held (`in` with a bytes-like needle searches a
 *     copy too).
 *   - While exports > 0 the size does not change (the block stays put).
 */
#include "objects/bytearray.h"

#include <string.h>

#include "core/alloc.h"
#include "core/objlock.h"
#include "core/iterstate.h"
#include "core/refcount.h"
#include "objects/abstract.h"
#include "objects/buffer.h"
#include "objects/bytes.h"
#include "objects/bytesmethods.h"
#include "objects/dict.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/int.h"
#include "objects/range.h"
#include "objects/str.h"
#include "objects/tuple.h"

#define BA(o) ((BytearrayObject *)(o))

/* ---- Mutation ------------------------------------------------------------------- */

/* Room for `need` bytes from `start`: moves the value to the front of the
   block when that is enough, else grows the block by at least an eighth
   (so appends are amortised O(1)). 0 / -1 with MemoryError. */
static int bytearray_reserve(BytearrayObject *b, size_t need) {
    if (b->start + need <= b->capacity) return 0;
    if (need <= b->capacity && b->start >= b->capacity / 2) {
        memmove(b->block, b->block + b->start, b->size);
        b->start = 0;
        return 0;
    }
    if (need > ((size_t)1 << 62)) {
        error_no_memory();
        return -1;
    }
    size_t cap = need + need / 8 + 16;
    char *block = mem_alloc(cap);
    if (!block) {
        error_no_memory();
        return -1;
    }
    if (b->size) memcpy(block, b->block + b->start, b->size);
    if (b->block) mem_free(b->block, b->capacity);
    b->block = block;
    b->capacity = cap;
    b->start = 0;
    return 0;
}

/* Give back most of a block that has become mostly empty. */
static void bytearray_shrink(BytearrayObject *b) {
    if (b->capacity <= 64 || b->size >= b->capacity / 4) return;
    size_t cap = b->size + b->size / 8 + 16;
    char *block = mem_alloc(cap);
    if (!block) return; /* keeping the big block is harmless */
    memcpy(block, b->block + b->start, b->size);
    mem_free(b->block, b->capacity);
    b->block = block;
    b->capacity = cap;
    b->start = 0;
}

/* Replace bytes [lo, hi) with the n bytes at src (which may point into the
   bytearray itself). The one function that changes the size. */
static int bytearray_splice(Object *self, size_t lo, size_t hi, const char *src, size_t n) {
    BytearrayObject *b = BA(self);
    size_t removed = hi - lo;
    objlock_lock(self);
    if (n != removed && b->exports > 0) {
        objlock_unlock(self);
        buffer_resize_error();
        return -1;
    }
    if (lo == 0 && n == 0 && removed > 0) { /* del b[:k]: move the start */
        b->start += removed;
        b->size -= removed;
        if (b->size == 0) b->start = 0;
        bytearray_shrink(b);
        objlock_unlock(self);
        return 0;
    }
    char *copy = NULL;
    if (n && src >= bytearray_data(self) && src < bytearray_data(self) + b->size) {
        if (!(copy = mem_alloc(n))) {
            objlock_unlock(self);
            error_no_memory();
            return -1;
        }
        memcpy(copy, src, n);
        src = copy;
    }
    size_t tail = b->size - hi, new_size = b->size - removed + n;
    int rc = bytearray_reserve(b, new_size);
    if (rc == 0) {
        char *d = b->block + b->start;
        if (tail) memmove(d + lo + n, d + hi, tail);
        if (n) memcpy(d + lo, src, n);
        b->size = new_size;
        if (new_size < removed) bytearray_shrink(b);
    }
    objlock_unlock(self);
    if (copy) mem_free(copy, n);
    return rc;
}

/* The callers below hold the lock from their bounds check on. */
static void bytearray_set_byte(Object *self, size_t i, unsigned char c) {
    bytearray_data(self)[i] = (char)c;
}

static void bytearray_reverse_bytes(Object *self) {
    char *d = bytearray_data(self);
    for (size_t i = 0, j = BA(self)->size; i + 1 < j; i++, j--) {
        char t = d[i];
        d[i] = d[j - 1];
        d[j - 1] = t;
    }
}

/* b[start::step] = the count bytes at src (src is a copy, not b's own). */
static void bytearray_set_strided(Object *self, int64_t start, int64_t step, int64_t count,
                                  const char *src) {
    char *d = bytearray_data(self);
    for (int64_t i = 0; i < count; i++) {
        int64_t j = start + i * step; /* never past the last item: no overflow */
        d[j] = src[i];
    }
}

/* del b[start::step] for count items: the survivors close up in one pass. */
static int bytearray_delete_strided(Object *self, int64_t start, int64_t step, int64_t count) {
    if (count == 0) return 0;
    if (BA(self)->exports > 0) { /* the caller holds the lock */
        buffer_resize_error();
        return -1;
    }
    if (step < 0) { /* the same items, walked forwards */
        start += step * (count - 1);
        step = -step;
    }
    char *d = bytearray_data(self);
    size_t n = BA(self)->size, out = (size_t)start;
    for (size_t i = (size_t)start, k = 0; i < n; i++) {
        if (k < (size_t)count && i == (size_t)start + k * (size_t)step) {
            k++;
            continue;
        }
        d[out++] = d[i];
    }
    BA(self)->size = out;
    bytearray_shrink(BA(self));
    return 0;
}

/* b *= n (n >= 1): the value repeated in place. */
static int bytearray_repeat_inplace(Object *self, int64_t n) {
    BytearrayObject *b = BA(self);
    objlock_lock(self);
    size_t size = b->size;
    int rc = 0;
    if (n <= 1 || size == 0) {
        if (n <= 0) rc = bytearray_splice(self, 0, size, NULL, 0);
    } else if (b->exports > 0) {
        buffer_resize_error();
        rc = -1;
    } else if ((uint64_t)n > ((size_t)1 << 62) / size) {
        error_no_memory();
        rc = -1;
    } else if ((rc = bytearray_reserve(b, size * (size_t)n)) == 0) {
        char *d = b->block + b->start;
        for (int64_t i = 1; i < n; i++) memcpy(d + (size_t)i * size, d, size);
        b->size = size * (size_t)n;
    }
    objlock_unlock(self);
    return rc;
}

/* ---- Allocation ---------------------------------------------------------------- */

Object *bytearray_new_raw(size_t len) {
    BytearrayObject *b = (BytearrayObject *)object_alloc(&bytearray_type, sizeof *b);
    if (!b) return NULL;
    if (len && bytearray_reserve(b, len) < 0) {
        DECREF(b);
        return NULL;
    }
    b->size = len;
    return (Object *)b;
}

Object *bytearray_from_data(const char *data, size_t len) {
    Object *b = bytearray_new_raw(len);
    if (b && len) memcpy(bytearray_data(b), data, len);
    return b;
}

static void bytearray_dealloc(Object *self) {
    BytearrayObject *b = BA(self);
    if (b->block) mem_free(b->block, b->capacity);
    object_free(self, sizeof *b);
}

/* ---- Construction -------------------------------------------------------------- */

static bool is_index_like(Object *o) {
    return is_int(o) || TYPE(o)->index != NULL;
}

/* An int in range(256) for append, insert, b[i] = v. */
static int byte_arg(Object *o, unsigned char *out) {
    return bytes_byte_value(o, "byte must be in range(0, 256)", out);
}

/* The bytes of anything bytearray() accepts without an encoding, as a
   bytes object: a buffer's bytes, n zero bytes, or an iterable's ints.
   what names the type in "cannot convert 'float' object to bytearray". */
static Object *bytes_of_source(Object *src, bool allow_count) {
    if (is_bytes(src)) return NEWREF(src);
    if (buffer_supported(src)) return bytes_from_buffer(src);
    if (allow_count && is_index_like(src)) {
        int64_t n;
        if (object_as_index(src, &n, NULL) < 0) return NULL;
        if (n < 0) return error_set(&exc_ValueError, "negative count");
        Object *b = bytes_new_raw((size_t)n);
        if (b) memset((char *)bytes_data(b), 0, (size_t)n);
        return b;
    }
    if (!TYPE(src)->iter && !TYPE(src)->getitem)
        return error_set(&exc_TypeError, "cannot convert '%s' object to bytearray", TYPE_NAME(src));
    return bytes_from_ints(src, "byte must be in range(0, 256)");
}

/* The value that bytearray(source, encoding, errors) holds, as a new bytes. */
static Object *bytearray_value(Object *const *args, size_t nargs, Object *kwnames) {
    static const char *const names[] = {"source", "encoding", "errors", NULL};
    Object *a[3];
    if (args_parse("bytearray", args, nargs, kwnames, names, 0, a) < 0) return NULL;
    const char *encoding = NULL, *errors = NULL;
    if (bytes_codec_text_arg("bytearray", "encoding", a[1], &encoding) < 0 ||
        bytes_codec_text_arg("bytearray", "errors", a[2], &errors) < 0)
        return NULL;
    Object *src = a[0], *data;
    if (src && is_str(src)) {
        if (!a[1]) return error_set(&exc_TypeError, "string argument without an encoding");
        Codec codec;
        if (bytes_codec_lookup(encoding, &codec) < 0) return NULL;
        data = bytes_encode(codec, src, errors);
    } else if (a[1]) {
        return error_set(&exc_TypeError, "encoding without a string argument");
    } else if (a[2]) {
        return error_set(&exc_TypeError, "errors without a string argument");
    } else if (!src) {
        data = bytes_new_raw(0);
    } else {
        data = bytes_of_source(src, true);
    }
    return data;
}

/* bytearray(...), or cls(...) for a subclass (an instance of cls holding
   the value). */
static Object *bytearray_construct(Type *type, Object *const *args, size_t nargs, Object *kwnames) {
    Object *data = bytearray_value(args, nargs, kwnames);
    if (!data) return NULL;
    Object *r;
    if (type == &bytearray_type) {
        r = bytearray_from_data(bytes_data(data), bytes_size(data));
    } else {
        r = object_alloc(type, sizeof(BytearrayObject));
        if (r && bytearray_splice(r, 0, 0, bytes_data(data), bytes_size(data)) < 0) CLEAR(&r);
    }
    DECREF(data);
    return r;
}

/* bytearray.__init__(self, source, encoding, errors): replaces the value
   (what super().__init__(...) runs in a subclass). */
static Object *bytearray_init_method(Object *self, Object *const *args, size_t nargs,
                                     Object *kwnames) {
    Object *data = bytearray_value(args, nargs, kwnames);
    if (!data) return NULL;
    objlock_lock(self);
    int rc = bytearray_splice(self, 0, BA(self)->size, bytes_data(data), bytes_size(data));
    objlock_unlock(self);
    DECREF(data);
    return rc < 0 ? NULL : NEWREF(None);
}

/* ---- repr, compare -------------------------------------------------------------- */

static Object *bytearray_repr(Object *self) {
    StrBuilder b;
    str_builder_init(&b);
    str_builder_add_cstr(&b, TYPE_NAME(self)); /* a subclass shows its name */
    str_builder_add_char(&b, '(');
    /* CPython's bytearray repr escapes ' even inside "..." */
    objlock_lock(self);
    bytes_repr_body(&b, bytearray_data(self), bytearray_size(self), true);
    objlock_unlock(self);
    str_builder_add_char(&b, ')');
    return str_builder_finish(&b);
}

static int64_t bytearray_unhashable(Object *self) {
    error_set(&exc_TypeError, "unhashable type: '%s'", TYPE_NAME(self));
    return -1;
}

/* A bytearray compares with any bytes-like object, byte by byte. */
static Object *bytearray_richcompare(Object *a, Object *b, int op) {
    if (!buffer_supported(a) || !buffer_supported(b)) return NEWREF(NotImplemented);
    Buffer va, vb;
    if (buffer_get(a, &va) < 0) return NULL;
    if (buffer_get(b, &vb) < 0) { /* a memoryview with steps: its own compare */
        buffer_release(&va);
        error_clear();
        return NEWREF(NotImplemented);
    }
    bool r;
    objlock_lock2(a, b); /* toy-ft: another thread may be writing either one's bytes */
    if ((op == CMP_EQ || op == CMP_NE) && va.len != vb.len) r = op == CMP_NE;
    else r = compare_i64(bytes_compare_data(va.data, va.len, vb.data, vb.len), 0, (CompareOp)op);
    objlock_unlock2(a, b);
    buffer_release(&va);
    buffer_release(&vb);
    return bool_from(r);
}

/* ---- Items and slices ------------------------------------------------------------- */

static int64_t bytearray_length(Object *self) {
    objlock_lock(self);
    int64_t n = (int64_t)BA(self)->size;
    objlock_unlock(self);
    return n;
}

/* The position of index i (converted), or -1 with IndexError. The caller
   holds the lock. */
static int64_t item_position(Object *self, int64_t i) {
    int64_t n = (int64_t)BA(self)->size;
    if (i < 0) i += n;
    if (i < 0 || i >= n) {
        error_set(&exc_IndexError, "bytearray index out of range");
        return -1;
    }
    return i;
}

static Object *bytearray_getitem(Object *self, Object *key) {
    if (is_slice(key)) {
        int64_t start, stop, step, n;
        objlock_lock(self);
        Object *r = NULL;
        if (slice_indices(key, (int64_t)BA(self)->size, &start, &stop, &step, &n) == 0 &&
            (r = bytearray_new_raw((size_t)n))) {
            const char *d = bytearray_data(self);
            char *out = bytearray_data(r);
            for (int64_t i = 0; i < n; i++) {
                int64_t j = start + i * step; /* never past the last item: no overflow */
                out[i] = d[j];
            }
        }
        objlock_unlock(self);
        return r;
    }
    int64_t i;
    if (object_as_index(key, &i, "bytearray") < 0) return NULL;
    objlock_lock(self);
    i = item_position(self, i);
    int c = i < 0 ? -1 : (unsigned char)bytearray_data(self)[i];
    objlock_unlock(self);
    return c < 0 ? NULL : int_small(c);
}

/* What b[i:j] = value assigns: the bytes of a buffer or of an iterable of
   ints (numbers and str refused, as in CPython). A new bytes object. */
static Object *slice_value(Object *value) {
    if (is_str(value) || (!buffer_supported(value) && (is_index_like(value) ||
                                                      TYPE(value)->to_float || TYPE(value)->to_int)))
        return error_set(&exc_TypeError,
                         "can assign only bytes, buffers, or iterables of ints in range(0, 256)");
    return bytes_of_source(value, false);
}

static int assign_slice(Object *self, Object *slice, Object *value) {
    Object *data = NULL;
    if (value && !(data = slice_value(value))) return -1;
    /* the value is converted: the length is read after any Toy code ran */
    int64_t start, stop, step, count;
    int rc = -1;
    objlock_lock(self);
    if (slice_indices(slice, (int64_t)BA(self)->size, &start, &stop, &step, &count) < 0) goto done;
    const char *src = data ? bytes_data(data) : "";
    size_t n = data ? bytes_size(data) : 0;
    if (step == 1) {
        if (stop < start) stop = start;
        rc = bytearray_splice(self, (size_t)start, (size_t)stop, src, n);
    } else if (!data) {
        rc = bytearray_delete_strided(self, start, step, count);
    } else if ((int64_t)n != count) {
        error_set(&exc_ValueError, "attempt to assign bytes of size %zu to extended slice of size %lld",
                  n, (long long)count);
    } else {
        bytearray_set_strided(self, start, step, count, src);
        rc = 0;
    }
done:
    objlock_unlock(self);
    XDECREF(data);
    return rc;
}

/* b[i] = v and del b[i]: the index is converted, then the value, then the
   index is checked against the length of that moment. */
static int bytearray_setitem(Object *self, Object *key, Object *value) {
    if (is_slice(key)) return assign_slice(self, key, value);
    unsigned char c = 0;
    int64_t i;
    if (object_as_index(key, &i, "bytearray") < 0) return -1;
    if (value && byte_arg(value, &c) < 0) return -1;
    int rc = -1;
    objlock_lock(self);
    if ((i = item_position(self, i)) >= 0) {
        if (!value) {
            rc = bytearray_splice(self, (size_t)i, (size_t)i + 1, NULL, 0);
        } else {
            bytearray_set_byte(self, (size_t)i, c);
            rc = 0;
        }
    }
    objlock_unlock(self);
    return rc;
}

static int bytearray_contains(Object *self, Object *item) {
    /* convert first: an __index__ may change the bytearray */
    if (is_index_like(item)) {
        unsigned char c;
        if (byte_arg(item, &c) < 0) return -1;
        objlock_lock(self);
        int r = memchr(bytearray_data(self), c, BA(self)->size) != NULL;
        objlock_unlock(self);
        return r;
    }
#ifdef TOY_FREE_THREADED
    /* a copy: bytes_contains_in takes item's buffer, another lock */
    objlock_lock(self);
    Object *copy = bytes_from_data(bytearray_data(self), BA(self)->size);
    objlock_unlock(self);
    if (!copy) return -1;
    int r = bytes_contains_in(bytes_data(copy), bytes_size(copy), item);
    DECREF(copy);
    return r;
#else
    return bytes_contains_in(bytearray_data(self), BA(self)->size, item);
#endif
}

/* ---- Operators ---------------------------------------------------------------------- */

/* a + b: a bytearray, for any two bytes-like operands with a bytearray first. */
static Object *bytearray_concat(Object *a, Object *b) {
    if (!is_bytearray(a)) return NEWREF(NotImplemented);
    Buffer view;
    if (!buffer_supported(b) || buffer_get(b, &view) < 0) {
        if ((TYPE(b)->flags & TYPE_HEAP) && !error_occurred()) return NEWREF(NotImplemented);
        error_clear();
        return error_set(&exc_TypeError, "can't concat %s to bytearray", TYPE_NAME(b));
    }
    objlock_lock(a);
    Object *r = bytearray_new_raw(BA(a)->size + view.len);
    if (r) {
        memcpy(bytearray_data(r), bytearray_data(a), BA(a)->size);
        memcpy(bytearray_data(r) + BA(a)->size, view.data, view.len);
    }
    objlock_unlock(a);
    buffer_release(&view);
    return r;
}

/* a += b: extends a in place with a bytes-like b. */
static Object *bytearray_iadd(Object *a, Object *b) {
    Buffer view;
    if (!buffer_supported(b) || buffer_get(b, &view) < 0) {
        error_clear();
        return error_set(&exc_TypeError, "can't concat %s to bytearray", TYPE_NAME(b));
    }
    objlock_lock(a);
    size_t end = BA(a)->size;
    int rc = bytearray_splice(a, end, end, view.data, view.len);
    objlock_unlock(a);
    buffer_release(&view);
    return rc < 0 ? NULL : NEWREF(a);
}

/* The count of b * n, n * b and b *= n: 1 and *n set, 0 when the other
   operand is no count (NotImplemented), -1 on error. */
static int repeat_count(Object *count, int64_t *n) {
    if (TYPE(count)->flags & TYPE_HEAP) return 0; /* its __mul__/__rmul__ first */
    if (!is_index_like(count)) {
        error_set(&exc_TypeError, "can't multiply sequence by non-int of type '%s'",
                  TYPE_NAME(count));
        return -1;
    }
    return object_as_index(count, n, NULL) < 0 ? -1 : 1;
}

static Object *bytearray_repeat(Object *a, Object *b) {
    Object *seq = is_bytearray(a) ? a : b, *count = is_bytearray(a) ? b : a;
    int64_t n;
    int rc = repeat_count(count, &n);
    if (rc <= 0) return rc < 0 ? NULL : NEWREF(NotImplemented);
    objlock_lock(seq);
    Object *r = bytearray_from_data(bytearray_data(seq), BA(seq)->size);
    objlock_unlock(seq);
    if (r && bytearray_repeat_inplace(r, n) < 0) CLEAR(&r);
    return r;
}

static Object *bytearray_imul(Object *a, Object *b) {
    int64_t n;
    int rc = repeat_count(b, &n);
    if (rc <= 0) return rc < 0 ? NULL : NEWREF(NotImplemented);
    return bytearray_repeat_inplace(a, n) < 0 ? NULL : NEWREF(a);
}

static Object *bytearray_mod(Object *a, Object *b) {
    if (!is_bytearray(a)) return NEWREF(NotImplemented);
    /* a copy: formatting runs Toy code (__str__, __index__, ...) */
    objlock_lock(a);
    Object *fmt = bytes_from_data(bytearray_data(a), BA(a)->size);
    objlock_unlock(a);
    if (!fmt) return NULL;
    Object *r = bytes_percent_format(bytes_data(fmt), bytes_size(fmt), b, true);
    DECREF(fmt);
    return r;
}

/* ---- The buffer protocol --------------------------------------------------------------- */

/* The count and the pointer are taken together under the lock: from then
   on no thread can resize until the view is released. */
static int bytearray_getbuffer(Object *self, Buffer *view) {
    objlock_lock(self);
    BA(self)->exports++;
    char *data = bytearray_data(self);
    size_t size = BA(self)->size;
    objlock_unlock(self);
    int rc = buffer_fill(self, view, data, size, false);
    if (rc < 0) {
        objlock_lock(self);
        BA(self)->exports--;
        objlock_unlock(self);
    }
    return rc;
}

static void bytearray_releasebuffer(Object *self, Buffer *view) {
    (void)view;
    objlock_lock(self);
    BA(self)->exports--;
    objlock_unlock(self);
}

/* ---- Mutating methods ------------------------------------------------------------------ */

static Object *bytearray_append(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (args_check("bytearray.append", nargs, kwnames, 1, 1) < 0) return NULL;
    unsigned char c;
    if (byte_arg(args[0], &c) < 0) return NULL;
    char byte = (char)c;
    objlock_lock(self);
    size_t end = BA(self)->size;
    int rc = bytearray_splice(self, end, end, &byte, 1);
    objlock_unlock(self);
    return rc < 0 ? NULL : NEWREF(None);
}

static Object *bytearray_extend(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (args_check("bytearray.extend", nargs, kwnames, 1, 1) < 0) return NULL;
    Object *src = args[0];
    if (!buffer_supported(src) && !TYPE(src)->iter && !TYPE(src)->getitem)
        return error_set(&exc_TypeError, "can't extend bytearray with %s", TYPE_NAME(src));
    Object *data = bytes_of_source(src, false);
    if (!data) return NULL;
    objlock_lock(self);
    size_t end = BA(self)->size;
    int rc = bytearray_splice(self, end, end, bytes_data(data), bytes_size(data));
    objlock_unlock(self);
    DECREF(data);
    return rc < 0 ? NULL : NEWREF(None);
}

static Object *bytearray_insert(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (args_check("bytearray.insert", nargs, kwnames, 2, 2) < 0) return NULL;
    int64_t i;
    unsigned char c;
    if (object_as_index(args[0], &i, NULL) < 0 || byte_arg(args[1], &c) < 0) return NULL;
    char byte = (char)c;
    objlock_lock(self);
    int64_t n = (int64_t)BA(self)->size;
    if (i < 0 && (i += n) < 0) i = 0;
    if (i > n) i = n;
    int rc = bytearray_splice(self, (size_t)i, (size_t)i, &byte, 1);
    objlock_unlock(self);
    return rc < 0 ? NULL : NEWREF(None);
}

static Object *bytearray_pop(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (args_check("bytearray.pop", nargs, kwnames, 0, 1) < 0) return NULL;
    int64_t i = -1;
    if (nargs && object_as_index(args[0], &i, NULL) < 0) return NULL;
    objlock_lock(self);
    int64_t n = (int64_t)BA(self)->size;
    int c = -1;
    if (i < 0) i += n;
    if (n == 0) {
        error_set(&exc_IndexError, "pop from empty bytearray");
    } else if (i < 0 || i >= n) {
        error_set(&exc_IndexError, "pop index out of range");
    } else {
        c = (unsigned char)bytearray_data(self)[i];
        if (bytearray_splice(self, (size_t)i, (size_t)i + 1, NULL, 0) < 0) c = -1;
    }
    objlock_unlock(self);
    return c < 0 ? NULL : int_small(c);
}

static Object *bytearray_remove(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (args_check("bytearray.remove", nargs, kwnames, 1, 1) < 0) return NULL;
    unsigned char c;
    if (byte_arg(args[0], &c) < 0) return NULL;
    objlock_lock(self);
    const char *d = bytearray_data(self);
    const char *at = memchr(d, c, BA(self)->size);
    int rc = -1;
    if (!at) {
        error_set(&exc_ValueError, "value not found in bytearray");
    } else {
        size_t i = (size_t)(at - d);
        rc = bytearray_splice(self, i, i + 1, NULL, 0);
    }
    objlock_unlock(self);
    return rc < 0 ? NULL : NEWREF(None);
}

static Object *bytearray_clear(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("bytearray.clear", nargs, kwnames, 0, 0) < 0) return NULL;
    objlock_lock(self);
    int rc = bytearray_splice(self, 0, BA(self)->size, NULL, 0);
    objlock_unlock(self);
    return rc < 0 ? NULL : NEWREF(None);
}

static Object *bytearray_copy(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("bytearray.copy", nargs, kwnames, 0, 0) < 0) return NULL;
    objlock_lock(self);
    Object *r = bytearray_from_data(bytearray_data(self), BA(self)->size);
    objlock_unlock(self);
    return r;
}

static Object *bytearray_reverse(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("bytearray.reverse", nargs, kwnames, 0, 0) < 0) return NULL;
    objlock_lock(self);
    bytearray_reverse_bytes(self);
    objlock_unlock(self);
    return NEWREF(None);
}

static Object *bytearray_alloc_method(Object *self, Object *const *args, size_t nargs,
                                      Object *kwnames) {
    (void)args;
    if (args_check("bytearray.__alloc__", nargs, kwnames, 0, 0) < 0) return NULL;
    /* the bytes usable from the start, plus one: CPython counts its trailing NUL */
    BytearrayObject *b = BA(self);
    objlock_lock(self);
    int64_t n = b->capacity ? (int64_t)(b->capacity - b->start) + 1 : 0;
    objlock_unlock(self);
    return int_from_i64(n);
}

/* __reduce_ex__(protocol): (bytearray, (bytes,), None), which copy.copy
   and copy.deepcopy use. */
static Object *bytearray_reduce_ex(Object *self, Object *const *args, size_t nargs,
                                   Object *kwnames) {
    (void)args;
    if (args_check("bytearray.__reduce_ex__", nargs, kwnames, 1, 1) < 0) return NULL;
    /* (type(self), (bytes(self),), self.__dict__ or None) */
    Object **dictptr = object_dict_ptr(self);
    Object *state = dictptr ? instance_dict_make(dictptr) : None;
    if (!state) return NULL;
    objlock_lock(self);
    Object *data = bytes_from_data(bytearray_data(self), BA(self)->size);
    objlock_unlock(self);
    Object *ctor_args = data ? tuple_pack(1, data) : NULL;
    Object *r = ctor_args ? tuple_pack(3, (Object *)TYPE(self), ctor_args, state) : NULL;
    XDECREF(data);
    XDECREF(ctor_args);
    return r;
}

/* ---- Iterator ------------------------------------------------------------------------ */

typedef struct {
    Object base;
    Object *seq;   /* the bytearray (owned); NULL once exhausted (toy-ft: kept,
                      core/iterstate.h) */
    size_t index;  /* the next byte; ITER_SPENT once exhausted in toy-ft */
} BytearrayIterObject;

static Object *bytearray_iter(Object *self) {
    BytearrayIterObject *it = (BytearrayIterObject *)object_alloc(&bytearray_iterator_type,
                                                                  sizeof *it);
    if (!it) return NULL;
    it->seq = NEWREF(self);
    return (Object *)it;
}

/* The length is read at every step: the bytearray may change meanwhile. */
static Object *bytearray_iter_next(Object *self) {
    BytearrayIterObject *it = (BytearrayIterObject *)self;
    Object *seq = it->seq;
    if (!seq) return NULL;
    objlock_lock(seq);
    size_t i = iter_index(&it->index);
    int c = -1;
    if (i < BA(seq)->size) {
        c = (unsigned char)bytearray_data(seq)[i];
        iter_set_index(&it->index, i + 1);
    }
    objlock_unlock(seq);
    if (c >= 0) return int_small(c);
    iter_exhaust(&it->seq, &it->index);
    return NULL;
}

static Object *bytearray_iter_self(Object *self) { return NEWREF(self); }

static void bytearray_iter_dealloc(Object *self) {
    XDECREF(((BytearrayIterObject *)self)->seq);
    object_free(self, sizeof(BytearrayIterObject));
}

/* ---- The type ---------------------------------------------------------------------------- */

#ifdef TOY_FREE_THREADED
/* toy-ft: the methods shared with bytes read a private copy of self taken
   under its lock (they never change self, and their results are new
   objects), so no view of self can be resized away under them, and no
   other object's lock (split's list, join's iterable, find's argument) is
   taken while self's is held: with striped locks that order could
   deadlock against a pair of lists sharing the stripes. */
#define BYTEARRAY_LOCKED(name)                                                          \
    static Object *bytearray_locked_##name(Object *self, Object *const *args, size_t nargs, \
                                           Object *kwnames) {                           \
        objlock_lock(self);                                                             \
        Object *copy = bytearray_from_data(bytearray_data(self), BA(self)->size);       \
        objlock_unlock(self);                                                           \
        if (!copy) return NULL;                                                         \
        Object *r = bytesmethods_##name(copy, args, nargs, kwnames);                    \
        DECREF(copy);                                                                   \
        return r;                                                                       \
    }
BYTESMETHODS_LIST(BYTEARRAY_LOCKED)
#undef BYTEARRAY_LOCKED
#define BYTEARRAY_LOCKED_ENTRY(name) {#name, bytearray_locked_##name, NULL},
#define BYTEARRAY_SHARED_TABLE BYTESMETHODS_LIST(BYTEARRAY_LOCKED_ENTRY)
#else
#define BYTEARRAY_SHARED_TABLE BYTESMETHODS_TABLE
#endif

static const MethodDef bytearray_methods[] = {
    BYTEARRAY_SHARED_TABLE
    {"__init__", bytearray_init_method, "Initialize self."},
    {"append", bytearray_append, "Append a single item to the end of the bytearray."},
    {"extend", bytearray_extend, "Append all the items from the iterator or sequence to the end of the bytearray."},
    {"insert", bytearray_insert, "Insert a single item into the bytearray before the given index."},
    {"pop", bytearray_pop, "Remove and return a single item from B."},
    {"remove", bytearray_remove, "Remove the first occurrence of a value in the bytearray."},
    {"clear", bytearray_clear, "Remove all items from the bytearray."},
    {"copy", bytearray_copy, "Return a copy of B."},
    {"reverse", bytearray_reverse, "Reverse the order of the values in B in place."},
    {"__alloc__", bytearray_alloc_method, NULL},
    {"__reduce_ex__", bytearray_reduce_ex, NULL},
    /* b.fromhex(...), b.maketrans(...); on the type: bytes_install_class_methods */
    {"fromhex", bytesmethods_fromhex, NULL},
    {"maketrans", bytesmethods_maketrans, NULL},
    {NULL, NULL, NULL},
};

Type bytearray_type = {
    TYPE_HEAD_INIT,
    .name = "bytearray",
    .base_type = &object_type,
    .flags = TYPE_BASETYPE,
    .instance_size = sizeof(BytearrayObject),
    .methods = bytearray_methods,
    .dealloc = bytearray_dealloc,
    .repr = bytearray_repr,
    .hash = bytearray_unhashable,
    .richcompare = bytearray_richcompare,
    .construct = bytearray_construct,
    .iter = bytearray_iter,
    .len = bytearray_length,
    .getitem = bytearray_getitem,
    .setitem = bytearray_setitem,
    .contains = bytearray_contains,
    .binary = {[BINOP_ADD] = bytearray_concat, [BINOP_MUL] = bytearray_repeat,
               [BINOP_MOD] = bytearray_mod},
    .inplace = {[BINOP_ADD] = bytearray_iadd, [BINOP_MUL] = bytearray_imul},
    .getbuffer = bytearray_getbuffer,
    .releasebuffer = bytearray_releasebuffer,
};

Type bytearray_iterator_type = {
    TYPE_HEAD_INIT,
    .name = "bytearray_iterator",
    .base_type = &object_type,
    .instance_size = sizeof(BytearrayIterObject),
    .dealloc = bytearray_iter_dealloc,
    .iter = bytearray_iter_self,
    .iternext = bytearray_iter_next,
};
