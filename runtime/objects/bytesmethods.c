/* bytesmethods.c - the methods of bytes and bytearray, written once over a
 * view of self (see bytesmethods.h for the contract: arguments first, then
 * the view, then C only).
 *
 * Sections: helpers (views, results, arguments), searching (find, count,
 * startswith, ...), splitting and joining, stripping and padding, case and
 * classification, translation, hex.
 *
 * Every buffer taken from an argument (buffer_get) is released on every
 * path out of the function that took it.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memmem, memrchr */
#endif
#include "objects/bytesmethods.h"

#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/refcount.h"
#include "objects/abstract.h"
#include "objects/buffer.h"
#include "objects/bytearray.h"
#include "objects/bytes.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/int.h"
#include "objects/list.h"
#include "objects/str.h"
#include "objects/tuple.h"

/* ---- Helpers ------------------------------------------------------------------ */

ByteView bytesmethods_view(Object *self) {
    if (is_bytearray(self)) return (ByteView){bytearray_data(self), bytearray_size(self)};
    return (ByteView){bytes_data(self), bytes_size(self)};
}

Object *bytesmethods_new_raw(Object *self, size_t len, char **out) {
    Object *r = is_bytearray(self) ? bytearray_new_raw(len) : bytes_new_raw(len);
    if (r) *out = is_bytearray(r) ? bytearray_data(r) : (char *)bytes_data(r);
    return r;
}

Object *bytesmethods_new(Object *self, const char *data, size_t len) {
    char *p;
    Object *r = bytesmethods_new_raw(self, len, &p);
    if (r && len) memcpy(p, data, len);
    return r;
}

/* self unchanged: bytes return themselves (a subclass's instance a plain
   copy), a bytearray a copy. */
static Object *unchanged(Object *self) {
    if (!is_bytearray(self)) return bytes_unchanged(self);
    return bytearray_from_data(bytearray_data(self), bytearray_size(self));
}

/* "bytes.find" / "bytearray.find", for the argument checkers. */
static const char *qualified(Object *self, const char *name, char *buf, size_t cap) {
    snprintf(buf, cap, "%s.%s", is_bytearray(self) ? "bytearray" : "bytes", name);
    return buf;
}

#define QUAL(name) qualified(self, name, qual_buf_, sizeof qual_buf_)
#define QUAL_BUF char qual_buf_[40]
/* The count is tested first: the qualified name is formatted for the
   error message only, not on every call. */
#define ARGS_FIT(lo, hi) (kwnames == NULL && nargs - (size_t)(lo) <= (size_t)(hi) - (size_t)(lo))

/* The builder's contents as an object of self's type; discards the builder. */
static Object *finish(Object *self, StrBuilder *b) {
    Object *r = b->failed ? error_no_memory() : bytesmethods_new(self, b->data, b->len);
    str_builder_discard(b);
    return r;
}

static bool is_index_like(Object *o) {
    return is_int(o) || TYPE(o)->index != NULL;
}

static bool is_space(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
static bool is_lower(unsigned char c) { return c >= 'a' && c <= 'z'; }
static bool is_upper(unsigned char c) { return c >= 'A' && c <= 'Z'; }
static bool is_alpha(unsigned char c) { return is_lower(c) || is_upper(c); }
static bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static unsigned char to_upper(unsigned char c) { return is_lower(c) ? c - 32 : c; }
static unsigned char to_lower(unsigned char c) { return is_upper(c) ? c + 32 : c; }

/* ---- Searching ----------------------------------------------------------------- */

/* The last occurrence of needle (n >= 1 bytes) in hay[0..len), or NULL: a
   Knuth-Morris-Pratt scan run backwards, linear in len + n. */
static const char *find_last(const char *hay, size_t len, const char *needle, size_t n) {
    if (n > len) return NULL;
    if (n == 1) return memrchr(hay, needle[0], len);
    /* fail[k]: the longest proper border of the needle's last k+1 bytes */
    size_t *fail = mem_alloc(n * sizeof *fail);
    if (!fail) {
        /* no memory for the table: a slower scan that needs none */
        for (size_t i = len - n + 1; i-- > 0;)
            if (memcmp(hay + i, needle, n) == 0) return hay + i;
        return NULL;
    }
#define RN(k) needle[n - 1 - (k)] /* the needle read backwards */
    fail[0] = 0;
    for (size_t k = 1, b = 0; k < n; k++) {
        while (b > 0 && RN(k) != RN(b)) b = fail[b - 1];
        if (RN(k) == RN(b)) b++;
        fail[k] = b;
    }
    const char *found = NULL;
    size_t matched = 0;
    for (size_t i = len; i-- > 0;) {
        while (matched > 0 && hay[i] != RN(matched)) matched = fail[matched - 1];
        if (hay[i] == RN(matched) && ++matched == n) {
            found = hay + i;
            break;
        }
    }
#undef RN
    mem_free(fail, n * sizeof *fail);
    return found;
}

/* The needle of find/count/index: bytes-like, or an int byte. */
typedef struct {
    Buffer buf;        /* held when the needle is bytes-like */
    char byte;
    const char *p;
    size_t n;
} Needle;

static int needle_get(Object *o, Needle *nd) {
    nd->buf.obj = NULL;
    if (is_index_like(o)) {
        unsigned char c;
        if (bytes_byte_value(o, "byte must be in range(0, 256)", &c) < 0) return -1;
        nd->byte = (char)c;
        nd->p = &nd->byte;
        nd->n = 1;
        return 0;
    }
    if (!buffer_supported(o)) {
        error_set(&exc_TypeError, "argument should be integer or bytes-like object, not '%s'",
                  TYPE_NAME(o));
        return -1;
    }
    if (buffer_get(o, &nd->buf) < 0) return -1;
    nd->p = nd->buf.data;
    nd->n = nd->buf.len;
    return 0;
}

/* Optional start/end of the find-like methods (None = absent), clamped as
   slices, except that a start past the end stays there: then even b"" is
   not found (b"".find(b"", 1) is -1). */
static int bounds_get(Object *start, Object *end, size_t size, size_t *lo, size_t *hi) {
    int64_t s = 0, e = (int64_t)size;
    Object *bounds[2] = {start, end};
    for (int i = 0; i < 2; i++) {
        Object *b = bounds[i];
        if (b && b != None && !is_index_like(b)) {
            error_set(&exc_TypeError,
                      "slice indices must be integers or None or have an __index__ method");
            return -1;
        }
    }
    if (start && start != None) {
        if (object_as_index(start, &s, NULL) < 0) return -1;
        if (s < 0 && (s += (int64_t)size) < 0) s = 0;
    }
    if (end && end != None) {
        if (object_as_index(end, &e, NULL) < 0) return -1;
        if (e > (int64_t)size) e = (int64_t)size;
        else if (e < 0 && (e += (int64_t)size) < 0) e = 0;
    }
    *lo = (size_t)s;
    *hi = (size_t)e;
    return 0;
}

typedef enum { SEARCH_FIRST, SEARCH_LAST, SEARCH_COUNT } SearchKind;

/* Where the needle is in view[lo..hi) (-1: nowhere), or how often. */
static int64_t search_view(ByteView v, size_t lo, size_t hi, const Needle *nd, SearchKind kind) {
    if (hi > v.len) hi = v.len; /* a needle's __index__ may have shrunk a bytearray */
    if (lo > hi || hi - lo < nd->n) return kind == SEARCH_COUNT ? 0 : -1;
    if (nd->n == 0) {
        if (kind == SEARCH_COUNT) return (int64_t)(hi - lo + 1);
        return (int64_t)(kind == SEARCH_FIRST ? lo : hi);
    }
    if (kind == SEARCH_LAST) {
        const char *m = find_last(v.data + lo, hi - lo, nd->p, nd->n);
        return m ? m - v.data : -1;
    }
    int64_t found = 0;
    for (size_t i = lo; i + nd->n <= hi;) {
        const char *m = memmem(v.data + i, hi - i, nd->p, nd->n);
        if (!m) break;
        if (kind == SEARCH_FIRST) return m - v.data;
        found++;
        i = (size_t)(m - v.data) + nd->n;
    }
    return kind == SEARCH_COUNT ? found : -1;
}

/* The body of find / rfind / index / rindex / count: -2 on error. */
static int64_t search(const char *name, Object *self, Object *const *args, size_t nargs,
                      Object *kwnames, SearchKind kind) {
    QUAL_BUF;
    if (!ARGS_FIT(1, 3) && args_check_varargs(QUAL(name), nargs, kwnames, 1, 3) < 0) return -2;
    size_t lo, hi;
    Needle nd;
    /* CPython converts the bounds before it looks at the needle */
    if (bounds_get(nargs > 1 ? args[1] : NULL, nargs > 2 ? args[2] : NULL,
                   bytesmethods_view(self).len, &lo, &hi) < 0 ||
        needle_get(args[0], &nd) < 0)
        return -2;
    /* no Toy code ran since the bounds were clamped to the current length */
    int64_t r = search_view(bytesmethods_view(self), lo, hi, &nd, kind);
    buffer_release(&nd.buf);
    return r;
}

Object *bytesmethods_find(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    int64_t r = search("find", self, args, nargs, kwnames, SEARCH_FIRST);
    return r == -2 ? NULL : int_from_i64(r);
}

Object *bytesmethods_rfind(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    int64_t r = search("rfind", self, args, nargs, kwnames, SEARCH_LAST);
    return r == -2 ? NULL : int_from_i64(r);
}

Object *bytesmethods_index(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    int64_t r = search("index", self, args, nargs, kwnames, SEARCH_FIRST);
    if (r == -1) return error_set(&exc_ValueError, "subsection not found");
    return r == -2 ? NULL : int_from_i64(r);
}

Object *bytesmethods_rindex(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    int64_t r = search("rindex", self, args, nargs, kwnames, SEARCH_LAST);
    if (r == -1) return error_set(&exc_ValueError, "subsection not found");
    return r == -2 ? NULL : int_from_i64(r);
}

Object *bytesmethods_count(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    int64_t r = search("count", self, args, nargs, kwnames, SEARCH_COUNT);
    return r == -2 ? NULL : int_from_i64(r);
}

/* Does view[lo..hi) start (or end) with the bytes-like c? 1, 0, -1. */
static int affix_one(Object *self, size_t lo, size_t hi, Object *c, bool at_end) {
    Buffer b;
    if (buffer_get(c, &b) < 0) return -1;
    ByteView v = bytesmethods_view(self);
    int r = 0;
    if (hi > v.len) hi = v.len;
    if (lo <= hi && hi - lo >= b.len)
        r = memcmp(v.data + (at_end ? hi - b.len : lo), b.data, b.len) == 0;
    buffer_release(&b);
    return r;
}

/* startswith / endswith: a bytes-like object or a tuple of them. */
static Object *affix(const char *name, Object *self, Object *const *args, size_t nargs,
                     Object *kwnames, bool at_end) {
    QUAL_BUF;
    if (!ARGS_FIT(1, 3) && args_check_varargs(QUAL(name), nargs, kwnames, 1, 3) < 0) return NULL;
    size_t lo, hi;
    if (bounds_get(nargs > 1 ? args[1] : NULL, nargs > 2 ? args[2] : NULL,
                   bytesmethods_view(self).len, &lo, &hi) < 0)
        return NULL;
    if (!is_tuple(args[0])) {
        if (!buffer_supported(args[0]))
            return error_set(&exc_TypeError, "%s first arg must be bytes or a tuple of bytes, not %s",
                             name, TYPE_NAME(args[0]));
        int r = affix_one(self, lo, hi, args[0], at_end);
        return r < 0 ? NULL : bool_from(r);
    }
    for (size_t i = 0; i < tuple_size(args[0]); i++) {
        int r = affix_one(self, lo, hi, tuple_item(args[0], i), at_end);
        if (r != 0) return r < 0 ? NULL : bool_from(true);
    }
    return bool_from(false);
}

Object *bytesmethods_startswith(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    return affix("startswith", self, args, nargs, kwnames, false);
}

Object *bytesmethods_endswith(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    return affix("endswith", self, args, nargs, kwnames, true);
}

/* ---- Partition, split, join ------------------------------------------------------ */

/* A separator argument: bytes-like and not empty. */
static int separator_get(Object *o, Buffer *b) {
    if (buffer_get(o, b) < 0) return -1;
    if (b->len == 0) {
        buffer_release(b);
        error_set(&exc_ValueError, "empty separator");
        return -1;
    }
    return 0;
}

static Object *partition3(Object *self, ByteView v, const char *at, size_t seplen, Object *sep,
                          bool from_end) {
    Object *parts[3] = {NULL, NULL, NULL};
    if (!at) {
        /* not found: the whole value on the side the search started from */
        size_t whole = from_end ? 2 : 0;
        for (int i = 0; i < 3; i++)
            /* bytes give themselves back, a subclass's instance too, as CPython */
            parts[i] = i != (int)whole       ? bytesmethods_new(self, "", 0)
                       : is_bytearray(self) ? unchanged(self)
                                            : NEWREF(self);
    } else {
        size_t before = (size_t)(at - v.data);
        parts[0] = bytesmethods_new(self, v.data, before);
        /* bytes hand back the separator object itself, as CPython */
        parts[1] = is_bytearray(self) ? bytesmethods_new(self, at, seplen) : NEWREF(sep);
        parts[2] = bytesmethods_new(self, at + seplen, v.len - before - seplen);
    }
    Object *r = parts[0] && parts[1] && parts[2] ? tuple_from_array(parts, 3) : NULL;
    for (int i = 0; i < 3; i++) XDECREF(parts[i]);
    return r;
}

static Object *partition(const char *name, Object *self, Object *const *args, size_t nargs,
                         Object *kwnames, bool from_end) {
    QUAL_BUF;
    if (!ARGS_FIT(1, 1) && args_check(QUAL(name), nargs, kwnames, 1, 1) < 0) return NULL;
    Buffer sep;
    if (separator_get(args[0], &sep) < 0) return NULL;
    ByteView v = bytesmethods_view(self);
    const char *at = from_end ? find_last(v.data, v.len, sep.data, sep.len)
                              : memmem(v.data, v.len, sep.data, sep.len);
    Object *r = partition3(self, v, at, sep.len, args[0], from_end);
    buffer_release(&sep);
    return r;
}

Object *bytesmethods_partition(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    return partition("partition", self, args, nargs, kwnames, false);
}

Object *bytesmethods_rpartition(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    return partition("rpartition", self, args, nargs, kwnames, true);
}

static int append_piece(Object *list, Object *self, const char *p, size_t n) {
    Object *piece = bytesmethods_new(self, p, n);
    return piece ? list_append_steal(list, piece) : -1;
}

/* Reverse a list in place (rsplit collects its pieces from the end). */
static void list_reverse_items(Object *list) {
    size_t n = list_size(list);
    for (size_t i = 0; i < n / 2; i++) {
        Object *a = list_item(list, i);
        list_set_steal(list, i, list_item(list, n - 1 - i));
        list_set_steal(list, n - 1 - i, a);
    }
}

/* split() / rsplit() on runs of ASCII whitespace. */
static int split_whitespace(Object *list, Object *self, ByteView v, int64_t maxsplit, bool from_end) {
    const unsigned char *s = (const unsigned char *)v.data;
    if (!from_end) {
        size_t i = 0;
        for (;;) {
            while (i < v.len && is_space(s[i])) i++;
            if (i >= v.len) return 0;
            size_t j = i;
            if (maxsplit-- == 0) j = v.len; /* the rest, trailing whitespace included */
            else while (j < v.len && !is_space(s[j])) j++;
            if (append_piece(list, self, v.data + i, j - i) < 0) return -1;
            i = j;
        }
    }
    size_t j = v.len;
    for (;;) {
        while (j > 0 && is_space(s[j - 1])) j--;
        if (j == 0) return 0;
        size_t i = j;
        if (maxsplit-- == 0) i = 0;
        else while (i > 0 && !is_space(s[i - 1])) i--;
        if (append_piece(list, self, v.data + i, j - i) < 0) return -1;
        j = i;
    }
}

/* split(sep) / rsplit(sep) with a separator. */
static int split_on(Object *list, Object *self, ByteView v, const Buffer *sep, int64_t maxsplit,
                    bool from_end) {
    const char *s = v.data, *end = v.data + v.len;
    while (maxsplit-- != 0) {
        const char *m = from_end ? find_last(s, (size_t)(end - s), sep->data, sep->len)
                                 : memmem(s, (size_t)(end - s), sep->data, sep->len);
        if (!m) break;
        if (from_end) {
            if (append_piece(list, self, m + sep->len, (size_t)(end - m) - sep->len) < 0) return -1;
            end = m;
        } else {
            if (append_piece(list, self, s, (size_t)(m - s)) < 0) return -1;
            s = m + sep->len;
        }
    }
    return append_piece(list, self, s, (size_t)(end - s));
}

static Object *split(const char *name, Object *self, Object *const *args, size_t nargs,
                     Object *kwnames, bool from_end) {
    static const char *const names[] = {"sep", "maxsplit", NULL};
    Object *a[2];
    int64_t maxsplit = -1;
    if (args_parse(name, args, nargs, kwnames, names, 0, a) < 0) return NULL;
    if (a[1] && object_as_index(a[1], &maxsplit, NULL) < 0) return NULL;
    Buffer sep = {0};
    if (a[0] && a[0] != None && separator_get(a[0], &sep) < 0) return NULL;
    Object *list = list_new(0);
    int rc = -1;
    if (list) {
        ByteView v = bytesmethods_view(self);
        rc = sep.obj ? split_on(list, self, v, &sep, maxsplit, from_end)
                     : split_whitespace(list, self, v, maxsplit, from_end);
    }
    buffer_release(&sep);
    if (rc < 0) {
        XDECREF(list);
        return NULL;
    }
    if (from_end) list_reverse_items(list);
    return list;
}

Object *bytesmethods_split(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    return split("split", self, args, nargs, kwnames, false);
}

Object *bytesmethods_rsplit(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    return split("rsplit", self, args, nargs, kwnames, true);
}

/* splitlines(keepends=False): lines end at \n, \r or \r\n. */
Object *bytesmethods_splitlines(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    static const char *const names[] = {"keepends", NULL};
    Object *a[1];
    int64_t keepends = 0;
    if (args_parse("splitlines", args, nargs, kwnames, names, 0, a) < 0) return NULL;
    if (a[0] && object_as_index(a[0], &keepends, NULL) < 0) return NULL;
    Object *list = list_new(0);
    if (!list) return NULL;
    ByteView v = bytesmethods_view(self);
    size_t i = 0;
    while (i < v.len) {
        size_t j = i;
        while (j < v.len && v.data[j] != '\n' && v.data[j] != '\r') j++;
        size_t eol = j;
        if (j < v.len) j += (v.data[j] == '\r' && j + 1 < v.len && v.data[j + 1] == '\n') ? 2 : 1;
        if (append_piece(list, self, v.data + i, (keepends ? j : eol) - i) < 0) {
            DECREF(list);
            return NULL;
        }
        i = j;
    }
    return list;
}

/* sep.join(iterable): the items are collected first (iterating may run Toy
   code), then measured and copied. */
Object *bytesmethods_join(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    QUAL_BUF;
    if (!ARGS_FIT(1, 1) && args_check(QUAL("join"), nargs, kwnames, 1, 1) < 0) return NULL;
    if (!TYPE(args[0])->iter && !TYPE(args[0])->getitem)
        return error_set(&exc_TypeError, "can only join an iterable");
    Object *items = list_from_iterable(args[0]);
    if (!items) return NULL;
    size_t n = list_size(items);
    Buffer *views = mem_alloc((n ? n : 1) * sizeof *views);
    if (!views) {
        DECREF(items);
        return error_no_memory();
    }
    size_t got = 0;
    Object *r = NULL;
    for (; got < n; got++) {
        Object *item = list_item(items, got);
        if (!buffer_supported(item) || buffer_get(item, &views[got]) < 0) {
            error_clear();
            error_set(&exc_TypeError, "sequence item %zu: expected a bytes-like object, %s found",
                      got, TYPE_NAME(item));
            goto done;
        }
    }
    ByteView sep = bytesmethods_view(self);
    StrBuilder b;
    str_builder_init(&b);
    for (size_t i = 0; i < n; i++) {
        if (i) str_builder_add(&b, sep.data, sep.len);
        str_builder_add(&b, views[i].data, views[i].len);
    }
    r = finish(self, &b);
done:
    for (size_t i = 0; i < got; i++) buffer_release(&views[i]);
    mem_free(views, (n ? n : 1) * sizeof *views);
    DECREF(items);
    return r;
}

/* ---- Replace, strip, pad ----------------------------------------------------------- */

static void replace_into(StrBuilder *b, ByteView v, const Buffer *old, const Buffer *new_,
                         int64_t count) {
    const char *s = v.data, *end = v.data + v.len;
    if (old->len == 0) {
        /* an empty pattern matches before every byte and at the end */
        while (count-- != 0) {
            str_builder_add(b, new_->data, new_->len);
            if (s == end) break;
            str_builder_add(b, s++, 1);
        }
    } else {
        while (count-- != 0) {
            const char *m = memmem(s, (size_t)(end - s), old->data, old->len);
            if (!m) break;
            str_builder_add(b, s, (size_t)(m - s));
            str_builder_add(b, new_->data, new_->len);
            s = m + old->len;
        }
    }
    str_builder_add(b, s, (size_t)(end - s));
}

Object *bytesmethods_replace(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    QUAL_BUF;
    if (!ARGS_FIT(2, 3) && args_check(QUAL("replace"), nargs, kwnames, 2, 3) < 0) return NULL;
    Buffer old, new_;
    int64_t count = -1;
    if (buffer_get(args[0], &old) < 0) return NULL;
    if (buffer_get(args[1], &new_) < 0) {
        buffer_release(&old);
        return NULL;
    }
    Object *r = NULL;
    if (nargs < 3 || object_as_index(args[2], &count, NULL) == 0) {
        StrBuilder b;
        str_builder_init(&b);
        replace_into(&b, bytesmethods_view(self), &old, &new_, count);
        r = finish(self, &b);
    }
    buffer_release(&old);
    buffer_release(&new_);
    return r;
}

/* strip / lstrip / rstrip with optional bytes-like chars (None: whitespace). */
static Object *strip(const char *name, Object *self, Object *const *args, size_t nargs,
                     Object *kwnames, bool left, bool right) {
    QUAL_BUF;
    if (!ARGS_FIT(0, 1) && args_check(QUAL(name), nargs, kwnames, 0, 1) < 0) return NULL;
    Buffer chars = {0};
    if (nargs && args[0] != None && buffer_get(args[0], &chars) < 0) return NULL;
    bool strip_set[256];
    for (int c = 0; c < 256; c++) strip_set[c] = chars.obj ? false : is_space((unsigned char)c);
    for (size_t i = 0; chars.obj && i < chars.len; i++) strip_set[(unsigned char)chars.data[i]] = true;
    buffer_release(&chars);
    ByteView v = bytesmethods_view(self);
    const unsigned char *s = (const unsigned char *)v.data;
    size_t lo = 0, hi = v.len;
    while (left && lo < hi && strip_set[s[lo]]) lo++;
    while (right && hi > lo && strip_set[s[hi - 1]]) hi--;
    if (lo == 0 && hi == v.len) return unchanged(self);
    return bytesmethods_new(self, v.data + lo, hi - lo);
}

Object *bytesmethods_strip(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    return strip("strip", self, args, nargs, kwnames, true, true);
}

Object *bytesmethods_lstrip(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    return strip("lstrip", self, args, nargs, kwnames, true, false);
}

Object *bytesmethods_rstrip(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    return strip("rstrip", self, args, nargs, kwnames, false, true);
}

/* removeprefix / removesuffix */
static Object *remove_affix(const char *name, Object *self, Object *const *args, size_t nargs,
                            Object *kwnames, bool suffix) {
    QUAL_BUF;
    if (!ARGS_FIT(1, 1) && args_check(QUAL(name), nargs, kwnames, 1, 1) < 0) return NULL;
    Buffer a;
    if (buffer_get(args[0], &a) < 0) return NULL;
    ByteView v = bytesmethods_view(self);
    bool has = a.len <= v.len && a.len > 0 &&
               memcmp(v.data + (suffix ? v.len - a.len : 0), a.data, a.len) == 0;
    size_t alen = a.len;
    buffer_release(&a);
    if (!has) return unchanged(self);
    return bytesmethods_new(self, v.data + (suffix ? 0 : alen), v.len - alen);
}

Object *bytesmethods_removeprefix(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    return remove_affix("removeprefix", self, args, nargs, kwnames, false);
}

Object *bytesmethods_removesuffix(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    return remove_affix("removesuffix", self, args, nargs, kwnames, true);
}

/* The result of padding: left fill bytes, the value, right fill bytes. */
static Object *padded(Object *self, size_t left, size_t right, char fill) {
    ByteView v = bytesmethods_view(self);
    if (left > ((size_t)1 << 62) || right > ((size_t)1 << 62)) return error_no_memory();
    char *p;
    Object *r = bytesmethods_new_raw(self, left + v.len + right, &p);
    if (!r) return NULL;
    v = bytesmethods_view(self);
    memset(p, fill, left);
    memcpy(p + left, v.data, v.len);
    memset(p + left + v.len, fill, right);
    return r;
}

/* center / ljust / rjust(width, fillchar=b' '): where = 0 left-justify,
   1 center, 2 right-justify. */
static Object *pad(const char *name, Object *self, Object *const *args, size_t nargs,
                   Object *kwnames, int where) {
    QUAL_BUF;
    if (!ARGS_FIT(1, 2) && args_check(QUAL(name), nargs, kwnames, 1, 2) < 0) return NULL;
    int64_t width;
    if (object_as_index(args[0], &width, NULL) < 0) return NULL;
    char fill = ' ';
    if (nargs > 1) {
        Object *f = args[1];
        bool ok = (is_bytes(f) && bytes_size(f) == 1) || (is_bytearray(f) && bytearray_size(f) == 1);
        if (!ok)
            return error_set(&exc_TypeError, "%s() argument 2 must be a byte string of length 1, not %s",
                             name, TYPE_NAME(f));
        fill = is_bytes(f) ? bytes_data(f)[0] : bytearray_data(f)[0];
    }
    size_t len = bytesmethods_view(self).len;
    if (width <= (int64_t)len) return unchanged(self);
    size_t margin = (size_t)width - len;
    size_t left = where == 0 ? 0 : where == 2 ? margin
                : margin / 2 + (margin & (size_t)width & 1);
    return padded(self, left, margin - left, fill);
}

Object *bytesmethods_center(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    return pad("center", self, args, nargs, kwnames, 1);
}

Object *bytesmethods_ljust(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    return pad("ljust", self, args, nargs, kwnames, 0);
}

Object *bytesmethods_rjust(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    return pad("rjust", self, args, nargs, kwnames, 2);
}

/* zfill(width): zeros on the left, after a leading sign. */
Object *bytesmethods_zfill(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    QUAL_BUF;
    if (!ARGS_FIT(1, 1) && args_check(QUAL("zfill"), nargs, kwnames, 1, 1) < 0) return NULL;
    int64_t width;
    if (object_as_index(args[0], &width, NULL) < 0) return NULL;
    size_t len = bytesmethods_view(self).len;
    if (width <= (int64_t)len) return unchanged(self);
    Object *r = padded(self, (size_t)width - len, 0, '0');
    if (!r) return NULL;
    char *p = is_bytearray(r) ? bytearray_data(r) : (char *)bytes_data(r);
    size_t zeros = (size_t)width - len;
    if (len && (p[zeros] == '+' || p[zeros] == '-')) {
        p[0] = p[zeros];
        p[zeros] = '0';
    }
    return r;
}

/* expandtabs(tabsize=8): tabs become spaces up to the next multiple of
   tabsize; the column restarts after \n and \r. */
Object *bytesmethods_expandtabs(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    static const char *const names[] = {"tabsize", NULL};
    Object *a[1];
    int64_t tabsize = 8;
    if (args_parse("expandtabs", args, nargs, kwnames, names, 0, a) < 0) return NULL;
    if (a[0] && object_as_index(a[0], &tabsize, NULL) < 0) return NULL;
    ByteView v = bytesmethods_view(self);
    StrBuilder b;
    str_builder_init(&b);
    size_t column = 0;
    for (size_t i = 0; i < v.len && !b.failed; i++) {
        char c = v.data[i];
        if (c == '\t') {
            if (tabsize <= 0) continue;
            size_t spaces = (size_t)tabsize - column % (size_t)tabsize;
            if (!str_builder_reserve(&b, spaces, 1)) break;
            for (size_t k = 0; k < spaces; k++) str_builder_add_char(&b, ' ');
            column += spaces;
        } else {
            str_builder_add_char(&b, c);
            column = c == '\n' || c == '\r' ? 0 : column + 1;
        }
    }
    return finish(self, &b);
}

/* ---- Case and classification ------------------------------------------------------- */

typedef enum { CASE_UPPER, CASE_LOWER, CASE_SWAP, CASE_TITLE, CASE_CAPITALIZE } CaseMap;

static Object *map_case(const char *name, Object *self, Object *const *args, size_t nargs,
                        Object *kwnames, CaseMap how) {
    QUAL_BUF;
    (void)args;
    if (!ARGS_FIT(0, 0) && args_check(QUAL(name), nargs, kwnames, 0, 0) < 0) return NULL;
    ByteView v = bytesmethods_view(self);
    char *p;
    Object *r = bytesmethods_new_raw(self, v.len, &p);
    if (!r) return NULL;
    v = bytesmethods_view(self);
    bool after_cased = false; /* title: the previous byte was a letter */
    for (size_t i = 0; i < v.len; i++) {
        unsigned char c = (unsigned char)v.data[i];
        switch (how) {
        case CASE_UPPER: c = to_upper(c); break;
        case CASE_LOWER: c = to_lower(c); break;
        case CASE_SWAP: c = is_lower(c) ? to_upper(c) : to_lower(c); break;
        case CASE_TITLE:
            c = after_cased ? to_lower(c) : to_upper(c);
            after_cased = is_alpha(c);
            break;
        case CASE_CAPITALIZE: c = i == 0 ? to_upper(c) : to_lower(c); break;
        }
        p[i] = (char)c;
    }
    return r;
}

Object *bytesmethods_upper(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    return map_case("upper", self, args, nargs, kwnames, CASE_UPPER);
}

Object *bytesmethods_lower(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    return map_case("lower", self, args, nargs, kwnames, CASE_LOWER);
}

Object *bytesmethods_swapcase(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    return map_case("swapcase", self, args, nargs, kwnames, CASE_SWAP);
}

Object *bytesmethods_title(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    return map_case("title", self, args, nargs, kwnames, CASE_TITLE);
}

Object *bytesmethods_capitalize(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    return map_case("capitalize", self, args, nargs, kwnames, CASE_CAPITALIZE);
}

typedef bool (*BytePredicate)(unsigned char c);

static bool is_alnum(unsigned char c) { return is_alpha(c) || is_digit(c); }
static bool is_ascii(unsigned char c) { return c < 0x80; }

/* isalnum, isalpha, isdigit, isspace, isascii: every byte passes (and,
   except for isascii, there is at least one). */
static Object *all_bytes(const char *name, Object *self, Object *const *args, size_t nargs,
                         Object *kwnames, BytePredicate pred, bool empty_result) {
    QUAL_BUF;
    (void)args;
    if (!ARGS_FIT(0, 0) && args_check(QUAL(name), nargs, kwnames, 0, 0) < 0) return NULL;
    ByteView v = bytesmethods_view(self);
    if (v.len == 0) return bool_from(empty_result);
    for (size_t i = 0; i < v.len; i++)
        if (!pred((unsigned char)v.data[i])) return bool_from(false);
    return bool_from(true);
}

Object *bytesmethods_isalnum(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    return all_bytes("isalnum", self, args, nargs, kwnames, is_alnum, false);
}

Object *bytesmethods_isalpha(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    return all_bytes("isalpha", self, args, nargs, kwnames, is_alpha, false);
}

Object *bytesmethods_isdigit(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    return all_bytes("isdigit", self, args, nargs, kwnames, is_digit, false);
}

Object *bytesmethods_isspace(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    return all_bytes("isspace", self, args, nargs, kwnames, is_space, false);
}

Object *bytesmethods_isascii(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    return all_bytes("isascii", self, args, nargs, kwnames, is_ascii, true);
}

/* islower / isupper: some cased byte, and none of the other case. */
static Object *cased(const char *name, Object *self, Object *const *args, size_t nargs,
                     Object *kwnames, bool upper) {
    QUAL_BUF;
    (void)args;
    if (!ARGS_FIT(0, 0) && args_check(QUAL(name), nargs, kwnames, 0, 0) < 0) return NULL;
    ByteView v = bytesmethods_view(self);
    bool seen = false;
    for (size_t i = 0; i < v.len; i++) {
        unsigned char c = (unsigned char)v.data[i];
        if (upper ? is_lower(c) : is_upper(c)) return bool_from(false);
        seen |= upper ? is_upper(c) : is_lower(c);
    }
    return bool_from(seen);
}

Object *bytesmethods_islower(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    return cased("islower", self, args, nargs, kwnames, false);
}

Object *bytesmethods_isupper(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    return cased("isupper", self, args, nargs, kwnames, true);
}

/* istitle: some cased byte; capitals only at the start of a word, lower
   case only inside one. */
Object *bytesmethods_istitle(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    QUAL_BUF;
    (void)args;
    if (!ARGS_FIT(0, 0) && args_check(QUAL("istitle"), nargs, kwnames, 0, 0) < 0) return NULL;
    ByteView v = bytesmethods_view(self);
    bool in_word = false, seen = false;
    for (size_t i = 0; i < v.len; i++) {
        unsigned char c = (unsigned char)v.data[i];
        if (is_upper(c)) {
            if (in_word) return bool_from(false);
            in_word = seen = true;
        } else if (is_lower(c)) {
            if (!in_word) return bool_from(false);
            seen = true;
        } else {
            in_word = false;
        }
    }
    return bool_from(seen);
}

/* ---- Translation --------------------------------------------------------------------- */

/* translate(table, /, delete=b''): table None (identity) or 256 bytes. */
Object *bytesmethods_translate(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    static const char *const names[] = {"", "delete", NULL};
    Object *a[2];
    if (nargs == 0)
        return error_set(&exc_TypeError, "translate() takes at least 1 positional argument (0 given)");
    if (args_parse("translate", args, nargs, kwnames, names, 1, a) < 0) return NULL;
    Buffer table = {0}, del = {0};
    Object *r = NULL;
    if (a[0] != None && buffer_get(a[0], &table) < 0) return NULL;
    if (table.obj && table.len != 256) {
        error_set(&exc_ValueError, "translation table must be 256 characters long");
        goto done;
    }
    if (a[1] && buffer_get(a[1], &del) < 0) goto done;
    bool deleted[256] = {false};
    for (size_t i = 0; del.obj && i < del.len; i++) deleted[(unsigned char)del.data[i]] = true;
    ByteView v = bytesmethods_view(self);
    if (!table.obj && (!del.obj || del.len == 0)) {
        r = unchanged(self);
        goto done;
    }
    StrBuilder b;
    str_builder_init(&b);
    for (size_t i = 0; i < v.len; i++) {
        unsigned char c = (unsigned char)v.data[i];
        if (!deleted[c]) str_builder_add_char(&b, table.obj ? table.data[c] : (char)c);
    }
    r = finish(self, &b);
done:
    buffer_release(&table);
    buffer_release(&del);
    return r;
}

/* maketrans(frm, to): a 256-byte table mapping each byte of frm to the
   byte of to at the same place. Always bytes. */
Object *bytesmethods_maketrans(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    if (args_check("maketrans", nargs, kwnames, 2, 2) < 0) return NULL;
    Buffer frm, to;
    if (buffer_get(args[0], &frm) < 0) return NULL;
    if (buffer_get(args[1], &to) < 0) {
        buffer_release(&frm);
        return NULL;
    }
    Object *r = NULL;
    if (frm.len != to.len) {
        error_set(&exc_ValueError, "maketrans arguments must have same length");
    } else if ((r = bytes_new_raw(256)) != NULL) {
        char *p = (char *)bytes_data(r);
        for (int c = 0; c < 256; c++) p[c] = (char)c;
        for (size_t i = 0; i < frm.len; i++) p[(unsigned char)frm.data[i]] = to.data[i];
    }
    buffer_release(&frm);
    buffer_release(&to);
    return r;
}

/* ---- Decoding, hex --------------------------------------------------------------------- */

Object *bytesmethods_decode(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    Codec codec;
    const char *errors;
    if (bytes_codec_args("decode", args, nargs, kwnames, &codec, &errors) < 0) {
        /* CPython decodes b'' to '' before it looks the codec up */
        if (bytesmethods_view(self).len == 0 && error_matches(&exc_LookupError)) {
            error_clear();
            return str_from_cstr("");
        }
        return NULL;
    }
    ByteView v = bytesmethods_view(self);
    return bytes_decode(codec, v.data, v.len, errors);
}

/* The arguments of hex(sep=None, bytes_per_sep=1): *sep 0 for none. */
static int hex_args(Object *const *args, size_t nargs, Object *kwnames, char *sep, int64_t *per) {
    static const char *const names[] = {"sep", "bytes_per_sep", NULL};
    Object *a[2];
    if (args_parse("hex", args, nargs, kwnames, names, 0, a) < 0) return -1;
    *sep = 0;
    *per = 1;
    /* CPython's order: bytes_per_sep, then len(sep), then sep's type */
    if (a[1] && object_as_index(a[1], per, NULL) < 0) return -1;
    if (*per < INT32_MIN || *per > INT32_MAX) { /* a C int in CPython */
        error_set(&exc_OverflowError, "Python int too large to convert to C int");
        return -1;
    }
    if (!a[0]) return 0;
    int64_t len = object_len(a[0]);
    if (len < 0) return -1;
    if (len != 1) {
        error_set(&exc_ValueError, "sep must be length 1.");
        return -1;
    }
    if (!is_str(a[0]) && !is_bytes(a[0])) {
        error_set(&exc_TypeError, "sep must be str or bytes.");
        return -1;
    }
    *sep = is_str(a[0]) ? str_data(a[0])[0] : bytes_data(a[0])[0];
    if ((unsigned char)*sep >= 0x80) {
        error_set(&exc_ValueError, "sep must be ASCII.");
        return -1;
    }
    return 0;
}

/* n bytes as hex digits, with sep between groups of |per| bytes counted
   from the right (from the left when per is negative). */
static Object *hex_render(const char *data, size_t n, char sep, int64_t per) {
    size_t group = !sep || per == 0 ? 0 : per < 0 ? (size_t)0 - (size_t)per : (size_t)per;
    size_t nseps = group && n > 0 ? (n - 1) / group : 0;
    static const char digits[] = "0123456789abcdef";
    Object *s = str_new_raw(2 * n + nseps);
    if (!s) return NULL;
    char *out = ((StrObject *)s)->data;
    for (size_t i = 0; i < n; i++) {
        /* a separator goes before byte i when a group boundary falls there */
        if (group && i > 0 && (per > 0 ? (n - i) % group == 0 : i % group == 0)) *out++ = sep;
        unsigned char c = (unsigned char)data[i];
        *out++ = digits[c >> 4];
        *out++ = digits[c & 15];
    }
    str_finish(s);
    return s;
}

Object *bytesmethods_hex_of(const char *data, size_t n, Object *const *args, size_t nargs,
                            Object *kwnames) {
    char sep;
    int64_t per;
    if (hex_args(args, nargs, kwnames, &sep, &per) < 0) return NULL;
    return hex_render(data, n, sep, per);
}

Object *bytesmethods_hex(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    char sep;
    int64_t per;
    if (hex_args(args, nargs, kwnames, &sep, &per) < 0) return NULL;
    ByteView v = bytesmethods_view(self);
    return hex_render(v.data, v.len, sep, per);
}

static int hex_digit(unsigned char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* The code point index of byte offset `at` of UTF-8 text s. */
static size_t char_index(const char *s, size_t at) {
    size_t index = 0;
    for (size_t i = 0; i < at; i++) index += ((unsigned char)s[i] & 0xC0) != 0x80;
    return index;
}

/* fromhex(string): pairs of hex digits, ASCII whitespace between pairs. */
Object *bytesmethods_fromhex(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    bool to_bytearray = self == (Object *)&bytearray_type || is_bytearray(self);
    if (args_check(to_bytearray ? "bytearray.fromhex" : "bytes.fromhex", nargs, kwnames, 1, 1) < 0)
        return NULL;
    if (!is_str(args[0]))
        return error_set(&exc_TypeError, "fromhex() argument must be str, not %s", TYPE_NAME(args[0]));
    const char *s = str_data(args[0]);
    size_t n = str_len(args[0]);
    StrBuilder b;
    str_builder_init(&b);
    for (size_t i = 0; i < n;) {
        if (is_space((unsigned char)s[i])) {
            i++;
            continue;
        }
        int hi = hex_digit((unsigned char)s[i]);
        int lo = i + 1 < n ? hex_digit((unsigned char)s[i + 1]) : -1;
        if (hi < 0 || lo < 0) {
            str_builder_discard(&b);
            return error_set(&exc_ValueError, "non-hexadecimal number found in fromhex() arg at position %zu",
                             char_index(s, hi < 0 ? i : i + 1));
        }
        str_builder_add_char(&b, (char)(hi << 4 | lo));
        i += 2;
    }
    if (b.failed) {
        str_builder_discard(&b);
        return error_no_memory();
    }
    Object *r = to_bytearray ? bytearray_from_data(b.data, b.len) : bytes_from_data(b.data, b.len);
    str_builder_discard(&b);
    return r;
}
