/* bytes.c - the bytes type, its iterator, and the text codecs (UTF-8,
 * ASCII, Latin-1) behind str.encode / bytes.decode / text files.
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

#include "core/refcount.h"
#include "objects/abstract.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/int.h"
#include "objects/list.h"
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

/* encoding= / errors= arguments: a str or absent. */
static int codec_text_arg(const char *fname, const char *what, Object *arg, const char **out) {
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

/* Parse (encoding='utf-8', errors='strict') for encode/decode. */
static int codec_args(const char *fname, Object *const *args, size_t nargs, Object *kwnames,
                      Codec *codec, const char **errors) {
    static const char *const names[] = {"encoding", "errors", NULL};
    Object *a[2];
    const char *encoding = "utf-8";
    *errors = NULL;
    if (args_parse(fname, args, nargs, kwnames, names, 0, a) < 0) return -1;
    if (codec_text_arg(fname, "encoding", a[0], &encoding) < 0 ||
        codec_text_arg(fname, "errors", a[1], errors) < 0)
        return -1;
    return bytes_codec_lookup(encoding, codec);
}

Object *str_encode_method(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    Codec codec;
    const char *errors;
    if (codec_args("encode", args, nargs, kwnames, &codec, &errors) < 0) return NULL;
    return bytes_encode(codec, self, errors);
}

/* ---- Construction: bytes(), bytes(n), bytes(iterable), bytes(s, enc) ------- */

/* One item of bytes(iterable) or of a `in` test: an int in range(256). */
static int byte_value(Object *o, const char *range_msg, unsigned char *out) {
    int64_t v;
    if (object_as_index(o, &v, NULL) < 0) return -1;
    if (v < 0 || v > 255) {
        error_set(&exc_ValueError, "%s", range_msg);
        return -1;
    }
    *out = (unsigned char)v;
    return 0;
}

static Object *bytes_from_iterable(Object *src) {
    Object *it = object_iter(src);
    if (!it) return NULL;
    StrBuilder b;
    str_builder_init(&b);
    Object *item;
    while ((item = object_next(it))) {
        unsigned char c;
        int r = byte_value(item, "bytes must be in range(0, 256)", &c);
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

static bool is_index_like(Object *o) {
    return is_int(o) || TYPE(o)->index != NULL;
}

static Object *bytes_construct(Type *type, Object *const *args, size_t nargs, Object *kwnames) {
    (void)type;
    static const char *const names[] = {"source", "encoding", "errors", NULL};
    Object *a[3];
    if (args_parse("bytes", args, nargs, kwnames, names, 0, a) < 0) return NULL;
    Object *src = a[0];
    /* the types of encoding and errors are checked first, as CPython parses them */
    const char *encoding = NULL, *errors = NULL;
    if (codec_text_arg("bytes", "encoding", a[1], &encoding) < 0 ||
        codec_text_arg("bytes", "errors", a[2], &errors) < 0)
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
    if (is_bytes(src)) return NEWREF(src);
    if (is_index_like(src)) return bytes_from_count(src);
    if (!TYPE(src)->iter && !TYPE(src)->getitem)
        return error_set(&exc_TypeError, "cannot convert '%s' object to bytes", TYPE_NAME(src));
    return bytes_from_iterable(src);
}

/* ---- repr, hash, compare ---------------------------------------------------- */

/* b'...' with Python's quoting: single quotes unless the data holds a ' and
   no ", then double quotes. */
static Object *bytes_repr(Object *self) {
    const unsigned char *s = (const unsigned char *)B(self)->data;
    size_t n = B(self)->size;
    char quote = (memchr(s, '\'', n) && !memchr(s, '"', n)) ? '"' : '\'';
    StrBuilder b;
    str_builder_init(&b);
    str_builder_add_char(&b, 'b');
    str_builder_add_char(&b, quote);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        if (c == quote || c == '\\') {
            str_builder_add_char(&b, '\\');
            str_builder_add_char(&b, (char)c);
        } else if (c == '\t') str_builder_add(&b, "\\t", 2);
        else if (c == '\n') str_builder_add(&b, "\\n", 2);
        else if (c == '\r') str_builder_add(&b, "\\r", 2);
        else if (c < 0x20 || c >= 0x7F) str_builder_addf(&b, "\\x%02x", c);
        else str_builder_add_char(&b, (char)c);
    }
    str_builder_add_char(&b, quote);
    return str_builder_finish(&b);
}

static int64_t bytes_hash(Object *self) {
    BytesObject *b = B(self);
    if (b->hash != -1) return b->hash;
    uint64_t h = 0;
    if (b->size) {
        h = 0xcbf29ce484222325ull;
        for (size_t i = 0; i < b->size; i++) h = (h ^ (unsigned char)b->data[i]) * 0x100000001b3ull;
        h >>= 1; /* keep it non-negative, so never -1 */
    }
    b->hash = (int64_t)h;
    return b->hash;
}

/* memcmp order, then length: Python's lexicographic order of bytes. */
static int bytes_cmp(Object *a, Object *b) {
    size_t na = B(a)->size, nb = B(b)->size;
    int c = memcmp(B(a)->data, B(b)->data, na < nb ? na : nb);
    if (c) return c;
    return na < nb ? -1 : na > nb;
}

static Object *bytes_richcompare(Object *a, Object *b, int op) {
    if (!is_bytes(a) || !is_bytes(b)) return NEWREF(NotImplemented);
    bool r;
    if ((op == CMP_EQ || op == CMP_NE) && B(a)->size != B(b)->size) {
        r = op == CMP_NE;
    } else {
        int c = bytes_cmp(a, b);
        switch (op) {
        case CMP_LT: r = c < 0; break;
        case CMP_LE: r = c <= 0; break;
        case CMP_EQ: r = c == 0; break;
        case CMP_NE: r = c != 0; break;
        case CMP_GT: r = c > 0; break;
        default: r = c >= 0; break;
        }
    }
    return bool_from(r);
}

/* ---- Sequence behaviour ------------------------------------------------------ */

static int64_t bytes_length(Object *self) { return (int64_t)B(self)->size; }

static Object *bytes_slice(Object *self, Object *slice) {
    int64_t start, stop, step, n;
    if (slice_indices(slice, (int64_t)B(self)->size, &start, &stop, &step, &n) < 0) return NULL;
    if (step == 1) return bytes_from_data(B(self)->data + start, (size_t)n);
    Object *r = bytes_new_raw((size_t)n);
    if (!r) return NULL;
    for (int64_t i = 0, j = start; i < n; i++, j += step) B(r)->data[i] = B(self)->data[j];
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

/* The bytes-like argument of a method or operator, or TypeError
   "a bytes-like object is required, not 'str'". */
static int need_bytes(Object *o) {
    if (is_bytes(o)) return 0;
    error_set(&exc_TypeError, "a bytes-like object is required, not '%s'", TYPE_NAME(o));
    return -1;
}

/* x in b: an int byte, or a sub-sequence. */
static int bytes_contains(Object *self, Object *item) {
    if (is_index_like(item)) {
        unsigned char c;
        if (byte_value(item, "byte must be in range(0, 256)", &c) < 0) return -1;
        return memchr(B(self)->data, c, B(self)->size) != NULL;
    }
    if (need_bytes(item) < 0) return -1;
    if (B(item)->size == 0) return 1;
    return memmem(B(self)->data, B(self)->size, B(item)->data, B(item)->size) != NULL;
}

static Object *bytes_concat(Object *a, Object *b) {
    if (!is_bytes(a)) return NEWREF(NotImplemented);
    if (!is_bytes(b)) {
        if (TYPE(b)->flags & TYPE_HEAP) return NEWREF(NotImplemented); /* b.__radd__ */
        return error_set(&exc_TypeError, "can't concat %s to bytes", TYPE_NAME(b));
    }
    if (B(b)->size == 0) return NEWREF(a);
    if (B(a)->size == 0) return NEWREF(b);
    Object *r = bytes_new_raw(B(a)->size + B(b)->size);
    if (!r) return NULL;
    memcpy(B(r)->data, B(a)->data, B(a)->size);
    memcpy(B(r)->data + B(a)->size, B(b)->data, B(b)->size);
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
    if (n == 1) return NEWREF(seq);
    if ((uint64_t)n > ((size_t)1 << 62) / size) return error_no_memory();
    Object *r = bytes_new_raw(size * (size_t)n);
    if (!r) return NULL;
    for (int64_t i = 0; i < n; i++) memcpy(B(r)->data + (size_t)i * size, B(seq)->data, size);
    return r;
}

/* ---- Iterator ---------------------------------------------------------------- */

typedef struct {
    Object base;
    Object *seq;   /* the bytes (owned); NULL once exhausted */
    size_t index;
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
    if (it->index < B(it->seq)->size) return int_small((unsigned char)B(it->seq)->data[it->index++]);
    CLEAR(&it->seq);
    return NULL;
}

static Object *bytes_iter_self(Object *self) { return NEWREF(self); }

static void bytes_iter_dealloc(Object *self) {
    XDECREF(((BytesIterObject *)self)->seq);
    object_free(self, sizeof(BytesIterObject));
}

/* ---- Methods ------------------------------------------------------------------ */

static Object *bytes_decode_method(Object *self, Object *const *args, size_t nargs,
                                   Object *kwnames) {
    Codec codec;
    const char *errors;
    if (codec_args("decode", args, nargs, kwnames, &codec, &errors) < 0) {
        /* CPython decodes b'' to '' before it looks the codec up */
        if (B(self)->size == 0 && error_matches(&exc_LookupError)) {
            error_clear();
            return str_from_cstr("");
        }
        return NULL;
    }
    return bytes_decode(codec, B(self)->data, B(self)->size, errors);
}

/* hex(sep=None, bytes_per_sep=1): a separator between groups of
   |bytes_per_sep| bytes, counted from the right (from the left if negative). */
static Object *bytes_hex_method(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    static const char *const names[] = {"sep", "bytes_per_sep", NULL};
    Object *a[2];
    if (args_parse("hex", args, nargs, kwnames, names, 0, a) < 0) return NULL;
    char sep = 0;
    int64_t per = 1;
    /* CPython's order: bytes_per_sep, then len(sep), then sep's type */
    if (a[1] && object_as_index(a[1], &per, NULL) < 0) return NULL;
    if (per < INT32_MIN || per > INT32_MAX) /* a C int in CPython */
        return error_set(&exc_OverflowError, "Python int too large to convert to C int");
    if (a[0]) {
        int64_t len = object_len(a[0]);
        if (len < 0) return NULL;
        if (len != 1) return error_set(&exc_ValueError, "sep must be length 1.");
        if (!is_str(a[0]) && !is_bytes(a[0]))
            return error_set(&exc_TypeError, "sep must be str or bytes.");
        sep = is_str(a[0]) ? str_data(a[0])[0] : B(a[0])->data[0];
        if ((unsigned char)sep >= 0x80) return error_set(&exc_ValueError, "sep must be ASCII.");
    }
    size_t n = B(self)->size;
    size_t group = !sep || per == 0 ? 0 : per < 0 ? (size_t)0 - (size_t)per : (size_t)per;
    size_t nseps = group && n > 0 ? (n - 1) / group : 0;
    static const char digits[] = "0123456789abcdef";
    Object *s = str_new_raw(2 * n + nseps);
    if (!s) return NULL;
    char *out = ((StrObject *)s)->data;
    for (size_t i = 0; i < n; i++) {
        /* a separator goes before byte i when a group boundary falls there */
        if (group && i > 0 && (per > 0 ? (n - i) % group == 0 : i % group == 0)) *out++ = sep;
        unsigned char c = (unsigned char)B(self)->data[i];
        *out++ = digits[c >> 4];
        *out++ = digits[c & 15];
    }
    str_finish(s);
    return s;
}

/* The needle of find/count/index: bytes, or an int byte (stored in *byte). */
static int needle_arg(Object *o, const char **p, size_t *n, char *byte) {
    if (is_index_like(o)) {
        unsigned char c;
        if (byte_value(o, "byte must be in range(0, 256)", &c) < 0) return -1;
        *byte = (char)c;
        *p = byte;
        *n = 1;
        return 0;
    }
    if (!is_bytes(o)) {
        error_set(&exc_TypeError, "argument should be integer or bytes-like object, not '%s'",
                  TYPE_NAME(o));
        return -1;
    }
    *p = B(o)->data;
    *n = B(o)->size;
    return 0;
}

/* Optional start/end of find-like methods (None = absent), clamped. */
static int range_args(Object *start, Object *end, size_t size, size_t *lo, size_t *hi) {
    int64_t s = 0, e = (int64_t)size;
    Object *bounds[2] = { start, end };
    for (int i = 0; i < 2; i++) {
        Object *b = bounds[i];
        if (b && b != None && !is_int(b) && !TYPE(b)->index) {
            error_set(&exc_TypeError,
                      "slice indices must be integers or None or have an __index__ method");
            return -1;
        }
    }
    /* as slices, except that a start past the end stays there: then even
       b"" is not found (b"".find(b"", 1) is -1) */
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

/* Shared body of find / index / count: the first offset (or the count). */
static int64_t bytes_search(const char *fname, Object *self, Object *const *args, size_t nargs,
                            Object *kwnames, bool count) {
    if (args_check_varargs(fname, nargs, kwnames, 1, 3) < 0) return -2;
    const char *p;
    size_t n, lo, hi;
    char byte;
    /* CPython converts the bounds before it looks at the needle */
    if (range_args(nargs > 1 ? args[1] : NULL, nargs > 2 ? args[2] : NULL, B(self)->size, &lo, &hi) < 0 ||
        needle_arg(args[0], &p, &n, &byte) < 0)
        return -2;
    const char *hay = B(self)->data;
    if (lo > hi || hi - lo < n) return count ? 0 : -1;
    if (n == 0) return count ? (int64_t)(hi - lo + 1) : (int64_t)lo;
    int64_t found = 0;
    for (size_t i = lo; i + n <= hi;) {
        const char *m = memmem(hay + i, hi - i, p, n);
        if (!m) break;
        if (!count) return m - hay;
        found++;
        i = (size_t)(m - hay) + n;
    }
    return count ? found : -1;
}

static Object *bytes_find_method(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    int64_t r = bytes_search("bytes.find", self, args, nargs, kwnames, false);
    return r == -2 ? NULL : int_from_i64(r);
}

static Object *bytes_index_method(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    int64_t r = bytes_search("bytes.index", self, args, nargs, kwnames, false);
    if (r == -1) return error_set(&exc_ValueError, "subsection not found");
    return r == -2 ? NULL : int_from_i64(r);
}

static Object *bytes_count_method(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    int64_t r = bytes_search("bytes.count", self, args, nargs, kwnames, true);
    return r == -2 ? NULL : int_from_i64(r);
}

/* startswith / endswith: a bytes or a tuple of bytes. */
static Object *bytes_affix(const char *fname, Object *self, Object *const *args, size_t nargs,
                           Object *kwnames, bool at_end) {
    if (args_check_varargs(fname, nargs, kwnames, 1, 3) < 0) return NULL;
    size_t lo, hi;
    if (range_args(nargs > 1 ? args[1] : NULL, nargs > 2 ? args[2] : NULL, B(self)->size, &lo, &hi) < 0)
        return NULL;
    Object *const *cands = is_tuple(args[0]) ? tuple_items(args[0]) : args;
    size_t ncands = is_tuple(args[0]) ? tuple_size(args[0]) : 1;
    for (size_t i = 0; i < ncands; i++) {
        Object *c = cands[i];
        if (!is_bytes(c) && is_tuple(args[0]))
            return error_set(&exc_TypeError, "a bytes-like object is required, not '%s'",
                             TYPE_NAME(c));
        if (!is_bytes(c))
            return error_set(&exc_TypeError, "%s first arg must be bytes or a tuple of bytes, not %s",
                             strchr(fname, '.') + 1, TYPE_NAME(c));
        size_t n = B(c)->size;
        if (lo > hi || hi - lo < n) continue;
        const char *at = B(self)->data + (at_end ? hi - n : lo);
        if (memcmp(at, B(c)->data, n) == 0) return bool_from(true);
    }
    return bool_from(false);
}

static Object *bytes_startswith_method(Object *self, Object *const *args, size_t nargs,
                                       Object *kwnames) {
    return bytes_affix("bytes.startswith", self, args, nargs, kwnames, false);
}

static Object *bytes_endswith_method(Object *self, Object *const *args, size_t nargs,
                                     Object *kwnames) {
    return bytes_affix("bytes.endswith", self, args, nargs, kwnames, true);
}

/* sep.join(iterable of bytes) */
static Object *bytes_join_method(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (args_check("bytes.join", nargs, kwnames, 1, 1) < 0) return NULL;
    Object *it = object_iter(args[0]);
    if (!it) {
        if (error_matches(&exc_TypeError)) {
            error_clear();
            error_set(&exc_TypeError, "can only join an iterable");
        }
        return NULL;
    }
    StrBuilder b;
    str_builder_init(&b);
    Object *item;
    size_t i = 0;
    while ((item = object_next(it))) {
        if (!is_bytes(item)) {
            error_set(&exc_TypeError, "sequence item %zu: expected a bytes-like object, %s found",
                      i, TYPE_NAME(item));
            DECREF(item);
            break;
        }
        if (i++) str_builder_add(&b, B(self)->data, B(self)->size);
        str_builder_add(&b, B(item)->data, B(item)->size);
        DECREF(item);
    }
    DECREF(it);
    Object *r = error_occurred() ? NULL : b.failed ? error_no_memory()
                                                  : bytes_from_data(b.data, b.len);
    str_builder_discard(&b);
    return r;
}

static bool is_ascii_space(unsigned char c) {
    return c == ' ' || (c >= '\t' && c <= '\r');
}

static int append_piece(Object *list, const char *p, size_t n) {
    Object *piece = bytes_from_data(p, n);
    return piece ? list_append_steal(list, piece) : -1;
}

/* split() on runs of ASCII whitespace. */
static Object *split_whitespace(Object *self, int64_t maxsplit) {
    const unsigned char *s = (const unsigned char *)B(self)->data;
    size_t n = B(self)->size, i = 0;
    Object *list = list_new(0);
    if (!list) return NULL;
    for (;;) {
        while (i < n && is_ascii_space(s[i])) i++;
        if (i >= n) break;
        size_t j = i;
        if (maxsplit-- == 0) {
            j = n; /* the rest, trailing whitespace included, as Python */
        } else {
            while (j < n && !is_ascii_space(s[j])) j++;
        }
        if (append_piece(list, (const char *)s + i, j - i) < 0) goto fail;
        i = j;
    }
    return list;
fail:
    DECREF(list);
    return NULL;
}

static Object *bytes_split_method(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    static const char *const names[] = {"sep", "maxsplit", NULL};
    Object *a[2];
    int64_t maxsplit = -1;
    if (args_parse("split", args, nargs, kwnames, names, 0, a) < 0) return NULL;
    if (a[1] && object_as_index(a[1], &maxsplit, NULL) < 0) return NULL;
    if (!a[0] || a[0] == None) return split_whitespace(self, maxsplit);
    if (need_bytes(a[0]) < 0) return NULL;
    size_t seplen = B(a[0])->size;
    if (seplen == 0) return error_set(&exc_ValueError, "empty separator");
    Object *list = list_new(0);
    if (!list) return NULL;
    const char *s = B(self)->data, *end = s + B(self)->size;
    while (maxsplit-- != 0) {
        const char *m = memmem(s, (size_t)(end - s), B(a[0])->data, seplen);
        if (!m) break;
        if (append_piece(list, s, (size_t)(m - s)) < 0) goto fail;
        s = m + seplen;
    }
    if (append_piece(list, s, (size_t)(end - s)) < 0) goto fail;
    return list;
fail:
    DECREF(list);
    return NULL;
}

static Object *bytes_strip_method(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (args_check("bytes.strip", nargs, kwnames, 0, 1) < 0) return NULL;
    Object *chars = nargs ? args[0] : None;
    if (chars != None && need_bytes(chars) < 0) return NULL;
    const unsigned char *s = (const unsigned char *)B(self)->data;
    size_t lo = 0, hi = B(self)->size;
#define STRIPPED(c) \
    (chars == None ? is_ascii_space(c) : memchr(B(chars)->data, (c), B(chars)->size) != NULL)
    while (lo < hi && STRIPPED(s[lo])) lo++;
    while (hi > lo && STRIPPED(s[hi - 1])) hi--;
#undef STRIPPED
    if (lo == 0 && hi == B(self)->size) return NEWREF(self);
    return bytes_from_data((const char *)s + lo, hi - lo);
}

static Object *bytes_replace_method(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (args_check("bytes.replace", nargs, kwnames, 2, 3) < 0) return NULL;
    if (need_bytes(args[0]) < 0 || need_bytes(args[1]) < 0) return NULL;
    int64_t count = -1;
    if (nargs > 2 && object_as_index(args[2], &count, NULL) < 0) return NULL;
    const char *s = B(self)->data, *end = s + B(self)->size;
    size_t oldlen = B(args[0])->size;
    StrBuilder b;
    str_builder_init(&b);
    if (oldlen == 0) {
        /* an empty pattern matches before every byte and at the end */
        while (count-- != 0) {
            str_builder_add(&b, B(args[1])->data, B(args[1])->size);
            if (s == end) break;
            str_builder_add(&b, s++, 1);
        }
        str_builder_add(&b, s, (size_t)(end - s));
        Object *r = b.failed ? error_no_memory() : bytes_from_data(b.data, b.len);
        str_builder_discard(&b);
        return r;
    }
    while (count-- != 0) {
        const char *m = memmem(s, (size_t)(end - s), B(args[0])->data, oldlen);
        if (!m) break;
        str_builder_add(&b, s, (size_t)(m - s));
        str_builder_add(&b, B(args[1])->data, B(args[1])->size);
        s = m + oldlen;
    }
    str_builder_add(&b, s, (size_t)(end - s));
    Object *r = b.failed ? error_no_memory() : bytes_from_data(b.data, b.len);
    str_builder_discard(&b);
    return r;
}

static const MethodDef bytes_methods[] = {
    {"decode", bytes_decode_method, "Decode the bytes to a str (utf-8, ascii or latin-1)."},
    {"hex", bytes_hex_method, NULL},
    {"find", bytes_find_method, NULL},
    {"index", bytes_index_method, NULL},
    {"count", bytes_count_method, NULL},
    {"startswith", bytes_startswith_method, NULL},
    {"endswith", bytes_endswith_method, NULL},
    {"join", bytes_join_method, NULL},
    {"split", bytes_split_method, NULL},
    {"strip", bytes_strip_method, NULL},
    {"replace", bytes_replace_method, NULL},
    {NULL, NULL, NULL},
};

Type bytes_type = {
    TYPE_HEAD_INIT,
    .name = "bytes",
    .base_type = &object_type,
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
    .binary = {[BINOP_ADD] = bytes_concat, [BINOP_MUL] = bytes_repeat},
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
