/* bytes.c - the bytes type, its iterator, and the text codecs (UTF-8,
 * ASCII, Latin-1) behind str.encode / bytes.decode / text files. The
 * methods bytes shares with bytearray (find, split, upper, ...) are in
 * bytesmethods.c; bytes % args is in format.c.
 *
 * Invariants:
 *   - A BytesObject is allocated with exactly bytes_alloc_size(size) bytes and
 *     freed with the same size; data[size] is always NUL.
 *   - hash is -1 until bytes_hash computes it; the hash is Toy's own (FNV-1a,
 *     never -1) except that b'' hashes to 0 as in CPython.
 *   - Codec errors are raised with CPython's message text as UnicodeError.
 *     Positions in decode errors count bytes; in encode errors, characters.
 *
 * The UTF-8 decoder follows the Unicode "maximal subpart" rule CPython uses:
 * an invalid sequence is reported (and, under errors="replace", replaced by
 * one U+FFFD) as the longest prefix that could still have begun a valid
 * character, so b'\xe2\x82x' is one error spanning two bytes.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memmem */
#endif
#include "objects/bytes.h"

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "core/objlock.h"
#include "core/iterstate.h"
#include "core/refcount.h"
#include "objects/abstract.h"
#include "objects/buffer.h"
#include "objects/bytearray.h"
#include "objects/bytesmethods.h"
#include "objects/dict.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/int.h"
#include "objects/function.h"
#include "objects/memoryview.h"
#include "objects/range.h"
#include "objects/str.h"
#include "objects/tuple.h"

#define B(o) ((BytesObject *)(o))

/* ---- Allocation ---------------------------------------------------------- */

static size_t bytes_alloc_size(size_t len) { return offsetof(BytesObject, data) + len + 1; }

Object *bytes_new_raw(size_t len) {
    if (len > ((size_t)1 << 62)) return error_no_memory();
    BytesObject *b = (BytesObject *)object_alloc(&bytes_type, bytes_alloc_size(len));
    if (!b) return NULL;
    b->hash = -1;
    b->size = len;
    b->data[len] = '\0';
    return (Object *)b;
}

Object *bytes_from_data(const char *data, size_t len) {
    Object *b = bytes_new_raw(len);
    if (b && len) memcpy(B(b)->data, data, len);
    return b;
}

static void bytes_dealloc(Object *self) { object_free(self, bytes_alloc_size(B(self)->size)); }

Object *bytes_unchanged(Object *b) {
    if (is_bytes_exact(b)) return NEWREF(b);
    return bytes_from_data(B(b)->data, B(b)->size);
}

/* ---- Codec names ------------------------------------------------------------- */

/* Python's name normalisation: lower case, every run of characters other
   than letters, digits and '.' becomes one '_', none at either end. */
static void normalize_encoding(const char *name, char *out, size_t cap) {
    size_t n = 0;
    bool pending_sep = false;
    for (const char *p = name; *p && n + 2 < cap; p++) {
        unsigned char c = (unsigned char)*p;
        if (isalnum(c) || c == '.') {
            if (pending_sep && n) out[n++] = '_';
            pending_sep = false;
            out[n++] = (char)tolower(c);
        } else {
            pending_sep = true;
        }
    }
    out[n] = '\0';
}

static bool name_in(const char *name, const char *const *list) {
    for (; *list; list++)
        if (strcmp(name, *list) == 0) return true;
    return false;
}

int bytes_codec_lookup(const char *name, Codec *out) {
    static const char *const utf8[] = {"utf_8", "utf8", "u8", "utf", "cp65001", NULL};
    static const char *const ascii[] = {"ascii", "us_ascii", "646", "us", "ansi_x3.4_1968", NULL};
    static const char *const latin1[] = {"latin_1", "latin1", "latin", "l1", "iso_8859_1",
                                         "iso8859_1", "8859", "cp819", "iso_ir_100", NULL};
    char norm[64];
    normalize_encoding(name, norm, sizeof norm);
    if (strlen(name) < 48) {
        if (name_in(norm, utf8)) return *out = CODEC_UTF8, 0;
        if (name_in(norm, ascii)) return *out = CODEC_ASCII, 0;
        if (name_in(norm, latin1)) return *out = CODEC_LATIN1, 0;
    }
    error_set(&exc_LookupError, "unknown encoding: %s", name);
    return -1;
}

const char *bytes_codec_name(Codec codec) {
    switch (codec) {
    case CODEC_ASCII: return "ascii";
    case CODEC_LATIN1: return "latin-1";
    default: return "utf-8";
    }
}

typedef enum { ERRORS_STRICT, ERRORS_IGNORE, ERRORS_REPLACE, ERRORS_UNKNOWN } ErrorMode;

static ErrorMode error_mode(const char *errors) {
    if (!errors || strcmp(errors, "strict") == 0) return ERRORS_STRICT;
    if (strcmp(errors, "ignore") == 0) return ERRORS_IGNORE;
    if (strcmp(errors, "replace") == 0) return ERRORS_REPLACE;
    return ERRORS_UNKNOWN;
}

/* An error must be handled under a handler Toy does not know. */
static Object *unknown_handler(const char *errors) {
    return error_set(&exc_LookupError, "unknown error handler name '%s'", errors);
}

/* ---- Decoding ------------------------------------------------------------ */

typedef enum { UTF8_OK, UTF8_BAD_START, UTF8_BAD_CONTINUATION, UTF8_TRUNCATED } Utf8Status;

/* Examine the sequence starting at s[0] (n >= 1 bytes available). *len gets
   the bytes of the character (UTF8_OK) or of the invalid subpart. */
static Utf8Status utf8_check_one(const unsigned char *s, size_t n, size_t *len) {
    unsigned char c = s[0];
    size_t need;
    unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    if (c < 0x80) return *len = 1, UTF8_OK;
    if (c >= 0xC2 && c <= 0xDF) need = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        need = 3;
        if (c == 0xE0) lo = 0xA0;      /* no overlong forms */
        if (c == 0xED) hi = 0x9F;      /* no surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 4;
        if (c == 0xF0) lo = 0x90;      /* no overlong forms */
        if (c == 0xF4) hi = 0x8F;      /* nothing above U+10FFFF */
    } else {
        return *len = 1, UTF8_BAD_START;
    }
    for (size_t k = 1; k < need; k++) {
        if (k >= n) return *len = k, UTF8_TRUNCATED;
        unsigned char lo_k = k == 1 ? lo : 0x80, hi_k = k == 1 ? hi : 0xBF;
        if (s[k] < lo_k || s[k] > hi_k) return *len = k, UTF8_BAD_CONTINUATION;
    }
    return *len = need, UTF8_OK;
}

/* "'utf-8' codec can't decode byte 0xc3 in position 1: unexpected end of data" */
static Object *decode_error(Codec codec, const unsigned char *data, size_t pos, size_t len,
                            const char *reason) {
    if (len == 1)
        return error_set(&exc_UnicodeError, "'%s' codec can't decode byte 0x%02x in position %zu: %s",
                         bytes_codec_name(codec), data[pos], pos, reason);
    return error_set(&exc_UnicodeError, "'%s' codec can't decode bytes in position %zu-%zu: %s",
                     bytes_codec_name(codec), pos, pos + len - 1, reason);
}

static const char *utf8_reason(Utf8Status st) {
    return st == UTF8_BAD_START ? "invalid start byte"
         : st == UTF8_TRUNCATED ? "unexpected end of data" : "invalid continuation byte";
}

/* Offset of the first byte at or after i that is not plain ASCII. */
static size_t skip_ascii(const unsigned char *s, size_t i, size_t n) {
    while (i + 8 <= n) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if (w & 0x8080808080808080ull) break;
        i += 8;
    }
    while (i < n && s[i] < 0x80) i++;
    return i;
}

/* Decode UTF-8, with a fast path for valid input (the usual case): validate,
   then copy. */
static Object *decode_utf8(const unsigned char *s, size_t n, const char *errors) {
    size_t i = 0, len = 0;
    Utf8Status st = UTF8_OK;
    while ((i = skip_ascii(s, i, n)) < n) {
        st = utf8_check_one(s + i, n - i, &len);
        if (st != UTF8_OK) break;
        i += len;
    }
    if (i >= n) return str_from_utf8((const char *)s, n);

    ErrorMode mode = error_mode(errors);
    if (mode == ERRORS_STRICT) return decode_error(CODEC_UTF8, s, i, len, utf8_reason(st));
    if (mode == ERRORS_UNKNOWN) return unknown_handler(errors);
    StrBuilder b;
    str_builder_init(&b);
    str_builder_add(&b, (const char *)s, i);
    while (i < n) {
        st = utf8_check_one(s + i, n - i, &len);
        if (st == UTF8_OK) str_builder_add(&b, (const char *)s + i, len);
        else if (mode == ERRORS_REPLACE) str_builder_add(&b, "\xEF\xBF\xBD", 3); /* U+FFFD */
        i += len;
    }
    return str_builder_finish(&b);
}

/* ASCII and Latin-1: one byte, one character. */
static Object *decode_single_byte(Codec codec, const unsigned char *s, size_t n,
                                  const char *errors) {
    size_t first = skip_ascii(s, 0, n);
    if (first == n) return str_from_utf8((const char *)s, n);
    ErrorMode mode = error_mode(errors);
    if (codec == CODEC_ASCII && mode == ERRORS_STRICT)
        return decode_error(codec, s, first, 1, "ordinal not in range(128)");
    if (codec == CODEC_ASCII && mode == ERRORS_UNKNOWN) return unknown_handler(errors);
    StrBuilder b;
    str_builder_init(&b);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        if (c < 0x80) {
            str_builder_add_char(&b, (char)c);
        } else if (codec == CODEC_LATIN1) {
            str_builder_add_char(&b, (char)(0xC0 | (c >> 6)));
            str_builder_add_char(&b, (char)(0x80 | (c & 0x3F)));
        } else if (mode == ERRORS_REPLACE) {
            str_builder_add(&b, "\xEF\xBF\xBD", 3);
        }
    }
    return str_builder_finish(&b);
}

Object *bytes_decode(Codec codec, const char *data, size_t len, const char *errors) {
    const unsigned char *s = (const unsigned char *)data;
    if (codec == CODEC_UTF8) return decode_utf8(s, len, errors);
    return decode_single_byte(codec, s, len, errors);
}

/* ---- Encoding ------------------------------------------------------------ */

/* The code point at s[*i] of valid UTF-8; advances *i. */
static uint32_t utf8_next(const unsigned char *s, size_t *i) {
    unsigned char c = s[*i];
    size_t len = bytes_utf8_seq_len(c);
    uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1Fu) : len == 3 ? (c & 0x0Fu) : (c & 0x07u);
    for (size_t k = 1; k < len; k++) cp = (cp << 6) | (s[*i + k] & 0x3Fu);
    *i += len;
    return cp;
}

/* "'ascii' codec can't encode character '\xe9' in position 0: ordinal not in
   range(128)"; a run of unencodable characters is reported as one range. */
static Object *encode_error(Codec codec, uint32_t cp, size_t pos, size_t count) {
    unsigned limit = codec == CODEC_ASCII ? 128 : 256;
    if (count > 1)
        return error_set(&exc_UnicodeError,
                         "'%s' codec can't encode characters in position %zu-%zu: ordinal not in range(%u)",
                         bytes_codec_name(codec), pos, pos + count - 1, limit);
    char esc[16];
    if (cp < 0x100) snprintf(esc, sizeof esc, "\\x%02x", (unsigned)cp);
    else if (cp < 0x10000) snprintf(esc, sizeof esc, "\\u%04x", (unsigned)cp);
    else snprintf(esc, sizeof esc, "\\U%08x", (unsigned)cp);
    return error_set(&exc_UnicodeError,
                     "'%s' codec can't encode character '%s' in position %zu: ordinal not in range(%u)",
                     bytes_codec_name(codec), esc, pos, limit);
}

/* ASCII / Latin-1 encoding of a non-ASCII str. */
static Object *encode_single_byte(Codec codec, Object *str, const char *errors) {
    const unsigned char *s = (const unsigned char *)str_data(str);
    size_t n = str_len(str), i = 0, pos = 0;
    uint32_t limit = codec == CODEC_ASCII ? 0x80 : 0x100;
    ErrorMode mode = error_mode(errors);
    StrBuilder b; /* used as a byte buffer */
    str_builder_init(&b);
    while (i < n) {
        uint32_t cp = utf8_next(s, &i);
        if (cp < limit) {
            str_builder_add_char(&b, (char)cp);
        } else if (mode == ERRORS_REPLACE) {
            str_builder_add_char(&b, '?');
        } else if (mode != ERRORS_IGNORE) {
            size_t count = 1, j = i;
            while (j < n && utf8_next(s, &j) >= limit) count++;
            str_builder_discard(&b);
            if (mode == ERRORS_UNKNOWN) return unknown_handler(errors);
            return encode_error(codec, cp, pos, count);
        }
        pos++;
    }
    if (b.failed) {
        str_builder_discard(&b);
        return error_no_memory();
    }
    Object *r = bytes_from_data(b.data, b.len);
    str_builder_discard(&b);
    return r;
}

Object *bytes_encode(Codec codec, Object *str, const char *errors) {
    /* Toy's str is UTF-8 already, and ASCII text is the same in all three. */
    if (codec == CODEC_UTF8 || ((StrObject *)str)->ascii)
        return bytes_from_data(str_data(str), str_len(str));
    return encode_single_byte(codec, str, errors);
}

int bytes_codec_text_arg(const char *fname, const char *what, Object *arg, const char **out) {
    if (!arg) return 0;
    if (!is_str(arg)) {
        error_set(&exc_TypeError, "%s() argument '%s' must be str, not %s", fname, what,
                  arg == None ? "None" : TYPE_NAME(arg));
        return -1;
    }
    if (strlen(str_data(arg)) != str_len(arg)) {
        error_set(&exc_ValueError, "embedded null character");
        return -1;
    }
    *out = str_data(arg);
    return 0;
}

int bytes_codec_args(const char *fname, Object *const *args, size_t nargs, Object *kwnames,
                      Codec *codec, const char **errors) {
    static const char *const names[] = {"encoding", "errors", NULL};
    Object *a[2];
    const char *encoding = "utf-8";
    *errors = NULL;
    if (args_parse(fname, args, nargs, kwnames, names, 0, a) < 0) return -1;
    if (bytes_codec_text_arg(fname, "encoding", a[0], &encoding) < 0 ||
        bytes_codec_text_arg(fname, "errors", a[1], errors) < 0)
        return -1;
    return bytes_codec_lookup(encoding, codec);
}

Object *str_encode_method(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    Codec codec;
    const char *errors;
    if (bytes_codec_args("encode", args, nargs, kwnames, &codec, &errors) < 0) return NULL;
    return bytes_encode(codec, self, errors);
}

/* ---- Construction: bytes(), bytes(n), bytes(iterable), bytes(s, enc) ------- */

static bool is_index_like(Object *o) {
    return is_int(o) || TYPE(o)->index != NULL;
}

int bytes_byte_value(Object *o, const char *range_msg, unsigned char *out) {
    Object *i = object_index(o);
    if (!i) return -1;
    int64_t v;
    uint64_t u;
    bool ok = int_range64(i, &v, &u) == INT_FITS_I64 && v >= 0 && v <= 255;
    DECREF(i);
    if (!ok) {
        error_set(&exc_ValueError, "%s", range_msg);
        return -1;
    }
    *out = (unsigned char)v;
    return 0;
}

Object *bytes_from_ints(Object *src, const char *range_msg) {
    Object *it = object_iter(src);
    if (!it) return NULL;
    StrBuilder b;
    str_builder_init(&b);
    Object *item;
    while ((item = object_next(it))) {
        unsigned char c;
        int r = bytes_byte_value(item, range_msg, &c);
        DECREF(item);
        if (r < 0) break;
        str_builder_add_char(&b, (char)c);
    }
    DECREF(it);
    Object *result = NULL;
    if (error_occurred()) result = NULL;
    else if (b.failed) result = error_no_memory();
    else result = bytes_from_data(b.data, b.len);
    str_builder_discard(&b);
    return result;
}

static Object *bytes_from_count(Object *n_obj) {
    int64_t n;
    if (object_as_index(n_obj, &n, NULL) < 0) return NULL;
    if (n < 0) return error_set(&exc_ValueError, "negative count");
    Object *b = bytes_new_raw((size_t)n);
    if (b) memset(B(b)->data, 0, (size_t)n);
    return b;
}

Object *bytes_from_buffer(Object *src) {
    if (is_memoryview(src)) return memoryview_tobytes(src); /* any layout */
    if (is_bytearray(src)) { /* copied under its lock: no export that would
                                refuse another thread's resize meanwhile */
        objlock_lock(src);
        Object *r = bytes_from_data(bytearray_data(src), bytearray_size(src));
        objlock_unlock(src);
        return r;
    }
    Buffer view;
    if (buffer_get(src, &view) < 0) return NULL;
    Object *r = bytes_from_data(view.data, view.len);
    buffer_release(&view);
    return r;
}

/* bytes(x) for a class with __bytes__: its result, which must be bytes. */
static Object *bytes_from_dunder(Object *src) {
    Object *r = object_call_method(src, "__bytes__", NULL, 0);
    if (r && !is_bytes(r)) {
        error_set(&exc_TypeError, "__bytes__ returned non-bytes (type %s)", TYPE_NAME(r));
        CLEAR(&r);
    }
    return r;
}

static Object *bytes_value(Object *const *args, size_t nargs, Object *kwnames);

/* bytes(...), or cls(...) for a subclass: the value, then an instance of
   cls holding a copy of it. */
static Object *bytes_construct(Type *type, Object *const *args, size_t nargs, Object *kwnames) {
    Object *value = bytes_value(args, nargs, kwnames);
    if (!value || type == &bytes_type) return value;
    size_t n = B(value)->size;
    BytesObject *r = (BytesObject *)object_alloc(type, bytes_alloc_size(n));
    if (r) {
        r->hash = -1;
        r->size = n;
        memcpy(r->data, B(value)->data, n + 1);
    }
    DECREF(value);
    return (Object *)r;
}

/* The value of bytes(source, encoding, errors): a new bytes. */
static Object *bytes_value(Object *const *args, size_t nargs, Object *kwnames) {
    static const char *const names[] = {"source", "encoding", "errors", NULL};
    Object *a[3];
    if (args_parse("bytes", args, nargs, kwnames, names, 0, a) < 0) return NULL;
    Object *src = a[0];
    /* the types of encoding and errors are checked first, as CPython parses them */
    const char *encoding = NULL, *errors = NULL;
    if (bytes_codec_text_arg("bytes", "encoding", a[1], &encoding) < 0 ||
        bytes_codec_text_arg("bytes", "errors", a[2], &errors) < 0)
        return NULL;
    if (src && is_str(src)) {
        if (!a[1]) return error_set(&exc_TypeError, "string argument without an encoding");
        Codec codec;
        if (bytes_codec_lookup(encoding, &codec) < 0)
            return NULL;
        return bytes_encode(codec, src, errors);
    }
    if (a[1]) return error_set(&exc_TypeError, "encoding without a string argument");
    if (a[2]) return error_set(&exc_TypeError, "errors without a string argument");
    if (!src) return bytes_new_raw(0);
    if ((TYPE(src)->flags & TYPE_HEAP) && type_lookup_cstr(TYPE(src), "__bytes__"))
        return bytes_from_dunder(src);
    if (is_bytes(src)) return bytes_unchanged(src);
    if (is_index_like(src)) return bytes_from_count(src);
    if (buffer_supported(src)) return bytes_from_buffer(src);
    if (!TYPE(src)->iter && !TYPE(src)->getitem)
        return error_set(&exc_TypeError, "cannot convert '%s' object to bytes", TYPE_NAME(src));
    return bytes_from_ints(src, "bytes must be in range(0, 256)");
}

/* ---- repr, hash, compare ---------------------------------------------------- */

void bytes_repr_body(StrBuilder *b, const char *data, size_t n, bool escape_single) {
    const unsigned char *s = (const unsigned char *)data;
    char quote = (memchr(s, '\'', n) && !memchr(s, '"', n)) ? '"' : '\'';
    str_builder_add_char(b, 'b');
    str_builder_add_char(b, quote);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        if (c == quote || c == '\\' || (escape_single && c == '\'')) {
            str_builder_add_char(b, '\\');
            str_builder_add_char(b, (char)c);
        } else if (c == '\t') str_builder_add(b, "\\t", 2);
        else if (c == '\n') str_builder_add(b, "\\n", 2);
        else if (c == '\r') str_builder_add(b, "\\r", 2);
        else if (c < 0x20 || c >= 0x7F) str_builder_addf(b, "\\x%02x", c);
        else str_builder_add_char(b, (char)c);
    }
    str_builder_add_char(b, quote);
}

/* b'...' with Python's quoting: single quotes unless the data holds a ' and
   no ", then double quotes. */
static Object *bytes_repr(Object *self) {
    StrBuilder b;
    str_builder_init(&b);
    bytes_repr_body(&b, B(self)->data, B(self)->size, false);
    return str_builder_finish(&b);
}

int64_t bytes_hash_data(const char *data, size_t n) {
    uint64_t h = 0;
    if (n) {
        h = 0xcbf29ce484222325ull;
        for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)data[i]) * 0x100000001b3ull;
        h >>= 1; /* keep it non-negative, so never -1 */
    }
    return (int64_t)h;
}

static int64_t bytes_hash(Object *self) {
    BytesObject *b = B(self);
    if (b->hash == -1) b->hash = bytes_hash_data(b->data, b->size);
    return b->hash;
}

int bytes_compare_data(const char *a, size_t na, const char *b, size_t nb) {
    int c = memcmp(a, b, na < nb ? na : nb);
    if (c) return c;
    return na < nb ? -1 : na > nb;
}

/* bytes only compare with bytes; bytearray's richcompare answers for
   the mixed pairs (b"a" == bytearray(b"a")). */
static Object *bytes_richcompare(Object *a, Object *b, int op) {
    if (!is_bytes(a) || !is_bytes(b)) return NEWREF(NotImplemented);
    if ((op == CMP_EQ || op == CMP_NE) && B(a)->size != B(b)->size)
        return bool_from(op == CMP_NE);
    int c = bytes_compare_data(B(a)->data, B(a)->size, B(b)->data, B(b)->size);
    return bool_from(compare_i64(c, 0, (CompareOp)op));
}

/* ---- Sequence behaviour ------------------------------------------------------ */

static int64_t bytes_length(Object *self) { return (int64_t)B(self)->size; }

static Object *bytes_slice(Object *self, Object *slice) {
    int64_t start, stop, step, n;
    if (slice_indices(slice, (int64_t)B(self)->size, &start, &stop, &step, &n) < 0) return NULL;
    if (step == 1) return bytes_from_data(B(self)->data + start, (size_t)n);
    Object *r = bytes_new_raw((size_t)n);
    if (!r) return NULL;
    for (int64_t i = 0; i < n; i++) {
        int64_t j = start + i * step; /* never past the last item: no overflow */
        B(r)->data[i] = B(self)->data[j];
    }
    return r;
}

static Object *bytes_getitem(Object *self, Object *key) {
    if (is_slice(key)) return bytes_slice(self, key);
    int64_t i;
    if (object_as_index(key, &i, "byte") < 0) return NULL;
    int64_t n = (int64_t)B(self)->size;
    if (i < 0) i += n;
    if (i < 0 || i >= n) return error_set(&exc_IndexError, "index out of range");
    return int_small((unsigned char)B(self)->data[i]);
}

int bytes_contains_in(const char *data, size_t size, Object *item) {
    if (is_index_like(item)) {
        unsigned char c;
        if (bytes_byte_value(item, "byte must be in range(0, 256)", &c) < 0) return -1;
        return memchr(data, c, size) != NULL;
    }
    Buffer view;
    if (buffer_get(item, &view) < 0) return -1;
    int r = view.len == 0 || memmem(data, size, view.data, view.len) != NULL;
    buffer_release(&view);
    return r;
}

/* x in b: an int byte, or a bytes-like sub-sequence. */
static int bytes_contains(Object *self, Object *item) {
    return bytes_contains_in(B(self)->data, B(self)->size, item);
}

/* b + x for any bytes-like x: bytes. */
static Object *bytes_concat(Object *a, Object *b) {
    if (!is_bytes(a)) return NEWREF(NotImplemented);
    if (TYPE(b)->flags & TYPE_HEAP && !buffer_supported(b)) return NEWREF(NotImplemented); /* b.__radd__ */
    Buffer view;
    if (!buffer_supported(b) || buffer_get(b, &view) < 0) {
        error_clear();
        return error_set(&exc_TypeError, "can't concat %s to bytes", TYPE_NAME(b));
    }
    Object *r;
    if (view.len == 0) {
        r = bytes_unchanged(a);
    } else if (B(a)->size == 0 && is_bytes(b)) {
        r = bytes_unchanged(b);
    } else if ((r = bytes_new_raw(B(a)->size + view.len)) != NULL) {
        memcpy(B(r)->data, B(a)->data, B(a)->size);
        memcpy(B(r)->data + B(a)->size, view.data, view.len);
    }
    buffer_release(&view);
    return r;
}

/* b * n and n * b. */
static Object *bytes_repeat(Object *a, Object *b) {
    Object *seq = is_bytes(a) ? a : b, *count = is_bytes(a) ? b : a;
    /* a class's __mul__/__rmul__ comes first, its __index__ after (abstract.c) */
    if (TYPE(count)->flags & TYPE_HEAP) return NEWREF(NotImplemented);
    if (!is_index_like(count)) {
        return error_set(&exc_TypeError, "can't multiply sequence by non-int of type '%s'",
                         TYPE_NAME(count));
    }
    int64_t n;
    if (object_as_index(count, &n, NULL) < 0) return NULL;
    size_t size = B(seq)->size;
    if (n <= 0 || size == 0) return bytes_new_raw(0);
    if (n == 1) return bytes_unchanged(seq);
    if ((uint64_t)n > ((size_t)1 << 62) / size) return error_no_memory();
    Object *r = bytes_new_raw(size * (size_t)n);
    if (!r) return NULL;
    for (int64_t i = 0; i < n; i++) memcpy(B(r)->data + (size_t)i * size, B(seq)->data, size);
    return r;
}

/* b % args */
static Object *bytes_mod(Object *a, Object *b) {
    if (!is_bytes(a)) return NEWREF(NotImplemented);
    return bytes_percent_format(B(a)->data, B(a)->size, b, false);
}

/* The buffer protocol: bytes lend their (read-only) data. */
static int bytes_getbuffer(Object *self, Buffer *view) {
    return buffer_fill(self, view, B(self)->data, B(self)->size, true);
}

/* ---- Iterator ---------------------------------------------------------------- */

typedef struct {
    Object base;
    Object *seq;   /* the bytes (owned); NULL once exhausted (toy-ft: kept, core/iterstate.h) */
    size_t index;  /* the next byte; ITER_SPENT once exhausted in toy-ft */
} BytesIterObject;

static Object *bytes_iter(Object *self) {
    BytesIterObject *it = (BytesIterObject *)object_alloc(&bytes_iterator_type, sizeof *it);
    if (!it) return NULL;
    it->seq = NEWREF(self);
    return (Object *)it;
}

static Object *bytes_iter_next(Object *self) {
    BytesIterObject *it = (BytesIterObject *)self;
    if (!it->seq) return NULL;
    size_t i = iter_index(&it->index);
    if (i < B(it->seq)->size) {
        iter_set_index(&it->index, i + 1);
        return int_small((unsigned char)B(it->seq)->data[i]);
    }
    iter_exhaust(&it->seq, &it->index);
    return NULL;
}

static Object *bytes_iter_self(Object *self) { return NEWREF(self); }

static void bytes_iter_dealloc(Object *self) {
    XDECREF(((BytesIterObject *)self)->seq);
    object_free(self, sizeof(BytesIterObject));
}

/* ---- The type ------------------------------------------------------------------ */

static Object *bytes_bytes_method(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("bytes.__bytes__", nargs, kwnames, 0, 0) < 0) return NULL;
    return bytes_unchanged(self);
}

/* (plain bytes with self's data,): what copy passes to bytes.__new__. */
static Object *bytes_getnewargs(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)args;
    if (args_check("bytes.__getnewargs__", nargs, kwnames, 0, 0) < 0) return NULL;
    Object *v = bytes_unchanged(self);
    Object *t = v ? tuple_pack(1, v) : NULL;
    XDECREF(v);
    return t;
}

static const MethodDef bytes_methods[] = {
    {"__getnewargs__", bytes_getnewargs, NULL},
    BYTESMETHODS_TABLE
    {"__bytes__", bytes_bytes_method, NULL},
    /* b.fromhex(...), b.maketrans(...); on the type: bytes_install_class_methods */
    {"fromhex", bytesmethods_fromhex, NULL},
    {"maketrans", bytesmethods_maketrans, NULL},
    {NULL, NULL, NULL},
};

Type bytes_type = {
    TYPE_HEAD_INIT,
    .name = "bytes",
    .base_type = &object_type,
    .flags = TYPE_BASETYPE,
    .instance_size = sizeof(BytesObject),
    .methods = bytes_methods,
    .dealloc = bytes_dealloc,
    .repr = bytes_repr,
    .hash = bytes_hash,
    .richcompare = bytes_richcompare,
    .construct = bytes_construct,
    .iter = bytes_iter,
    .len = bytes_length,
    .getitem = bytes_getitem,
    .contains = bytes_contains,
    .binary = {[BINOP_ADD] = bytes_concat, [BINOP_MUL] = bytes_repeat, [BINOP_MOD] = bytes_mod},
    .getbuffer = bytes_getbuffer,
};

Type bytes_iterator_type = {
    TYPE_HEAD_INIT,
    .name = "bytes_iterator",
    .base_type = &object_type,
    .instance_size = sizeof(BytesIterObject),
    .dealloc = bytes_iter_dealloc,
    .iter = bytes_iter_self,
    .iternext = bytes_iter_next,
};

int bytes_install_class_methods(void) {
    static const MethodDef defs[] = {
        {"fromhex", bytesmethods_fromhex, "Create a bytes object from a string of hexadecimal numbers."},
        {"maketrans", bytesmethods_maketrans, "Return a translation table usable for the bytes or bytearray translate method."},
    };
    Type *types[] = {&bytes_type, &bytearray_type};
    for (size_t t = 0; t < 2; t++) {
        for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++) {
            Object *f = builtin_new(&defs[i], (Object *)types[t]);
            if (!f) return -1;
            int rc = dict_set_item_cstr(types[t]->dict, defs[i].name, f);
            DECREF(f);
            if (rc < 0) return -1;
        }
    }
    return 0;
}
