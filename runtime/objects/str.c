/* str.c - the str type: immutable Unicode text stored as UTF-8.
 *
 * Invariants:
 *   - data holds `length` bytes of valid UTF-8 followed by a NUL; `nchars`
 *     counts code points and `ascii` says nchars == length. Every string is
 *     completed by str_finish (or built with both fields known) before any
 *     other code sees it.
 *   - hash is -1 until str_hash computes and caches it. The hash is Toy's own
 *     (a word-at-a-time multiply-rotate with a final mix) and is never
 *     negative, so -1 can mean "not yet".
 *   - The empty string and the 128 one-character ASCII strings are static
 *     immortal objects (empty_str, ascii_chars): indexing, iterating and
 *     slicing down to one ASCII character never allocate. str_intern of
 *     "" or "a" returns the static object, never a table entry; the static
 *     one-character strings are flagged interned, so interned strings are
 *     still one object per text and compare by pointer.
 *   - The intern table holds one reference to each interned string, so an
 *     interned string lives until str_intern_clear at exit. The table is
 *     shared by all threads and guarded by intern_lock (not the GIL).
 *   - Comparing UTF-8 bytes with memcmp orders strings by code point, which is
 *     Python's order, so comparisons never decode.
 *   - Indexes in the API (len, s[i], find's result, start/end arguments) are
 *     code points; non-ASCII strings convert them to byte offsets by walking
 *     the UTF-8 (ASCII strings skip the walk).
 *
 * Character classes (isalpha, isspace, upper, lower...) are exact for ASCII
 * and Latin-1, and cover the Latin Extended-A, Greek and Cyrillic letters for
 * case mapping; other scripts use coarse block ranges (see the helpers).
 * str.format, format() and % live in format.c.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memmem, memrchr */
#endif
#include "objects/buffer.h"
#include "objects/bytes.h"
#include "objects/str.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/objlock.h"
#include "core/iterstate.h"
#include "core/refcount.h"
#include "objects/abstract.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/int.h"
#include "objects/list.h"
#include "objects/range.h"
#include "objects/tuple.h"
#include "objects/unicodedb.h"

/* ---- Static strings: "" and the one-character ASCII strings ---------------- */

/* Same layout as StrObject with room for one byte and the NUL. */
typedef struct {
    Object base;
    int64_t hash;
    size_t length;
    size_t nchars;
    bool ascii;
    bool interned;
    char data[2];
} StaticStr;

_Static_assert(offsetof(StaticStr, data) == offsetof(StrObject, data),
               "StaticStr must mirror StrObject");


#define CHAR_1(c) { STATIC_OBJECT_INIT(str_type), -1, 1, 1, true, true, { (char)(c), 0 } }
#define CHAR_2(c) CHAR_1(c), CHAR_1((c) + 1)
#define CHAR_4(c) CHAR_2(c), CHAR_2((c) + 2)
#define CHAR_8(c) CHAR_4(c), CHAR_4((c) + 4)
#define CHAR_16(c) CHAR_8(c), CHAR_8((c) + 8)
#define CHAR_32(c) CHAR_16(c), CHAR_16((c) + 16)
#define CHAR_64(c) CHAR_32(c), CHAR_32((c) + 32)
#define CHAR_128(c) CHAR_64(c), CHAR_64((c) + 64)

static StaticStr ascii_chars[128] = { CHAR_128(0) };
/* "" is made by STR_STATIC (str.h), which also checks that macro's layout. */
STR_STATIC(empty_str, "");
_Static_assert(offsetof(__typeof__(empty_str), data) == offsetof(StrObject, data) &&
               offsetof(__typeof__(empty_str), nchars) == offsetof(StrObject, nchars),
               "STR_STATIC must mirror StrObject");

#define EMPTY_STR ((Object *)&empty_str)

/* New reference to the static one-character string for an ASCII byte. */
static inline Object *ascii_char(unsigned char c) {
    return NEWREF_IMMORTAL(&ascii_chars[c]);
}

static inline StrObject *S(Object *o) { return (StrObject *)o; }

/* ---- UTF-8 helpers ---------------------------------------------------------------- */

static inline bool is_continuation(unsigned char b) { return (b & 0xC0) == 0x80; }

static inline size_t utf8_seq_len(unsigned char lead) {
    return lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
}

uint32_t str_utf8_decode(const char *s, size_t *len) {
    const unsigned char *p = (const unsigned char *)s;
    if (p[0] < 0x80) { *len = 1; return p[0]; }
    if (p[0] < 0xE0) { *len = 2; return ((uint32_t)(p[0] & 0x1F) << 6) | (p[1] & 0x3F); }
    if (p[0] < 0xF0) {
        *len = 3;
        return ((uint32_t)(p[0] & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
    }
    *len = 4;
    return ((uint32_t)(p[0] & 0x07) << 18) | ((uint32_t)(p[1] & 0x3F) << 12) |
           ((uint32_t)(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
}

size_t str_utf8_encode(uint32_t cp, char *out) {
    if (cp < 0x80) { out[0] = (char)cp; return 1; }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Code points in n bytes of valid UTF-8. */
static size_t count_chars(const char *p, size_t n) {
    size_t count = 0, i = 0;
    /* Whole words of ASCII first: the common case. */
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        if (w & 0x8080808080808080ull) break;
        count += 8;
    }
    for (; i < n; i++) count += !is_continuation((unsigned char)p[i]);
    return count;
}

/* Byte offset of code point index i (0 <= i <= nchars). */
static size_t byte_offset(Object *s, size_t i) {
    StrObject *so = S(s);
    if (so->ascii) return i;
    const char *p = so->data;
    if (i > so->nchars / 2) { /* nearer the end: walk backwards */
        size_t off = so->length, left = so->nchars - i;
        while (left > 0) {
            off--;
            if (!is_continuation((unsigned char)p[off])) left--;
        }
        return off;
    }
    size_t off = 0;
    while (i > 0) {
        off += utf8_seq_len((unsigned char)p[off]);
        i--;
    }
    return off;
}

/* Code point index of byte offset off (at a character boundary). */
static size_t char_index(Object *s, size_t off) {
    if (S(s)->ascii) return off;
    return count_chars(S(s)->data, off);
}

/* ---- Character classes ---- */

bool str_codepoint_isspace(uint32_t c) {
    if (c < 0x80) return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1C && c <= 0x1F);
    return c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) ||
           c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

/* The other classes come from the Unicode database (unicodedb.c), with
   ASCII answered directly. */
static bool cp_has(uint32_t c, unsigned flag) { return (ucd_flags(c) & flag) != 0; }

static bool cp_isupper(uint32_t c) {
    if (c < 0x80) return c >= 'A' && c <= 'Z';
    return cp_has(c, UCD_UPPER);
}
static bool cp_islower(uint32_t c) {
    if (c < 0x80) return c >= 'a' && c <= 'z';
    return cp_has(c, UCD_LOWER);
}
static bool cp_istitle(uint32_t c) { return c >= 0x80 && cp_has(c, UCD_TITLE); }
static bool cp_iscased(uint32_t c) {
    if (c < 0x80) return (c | 32) >= 'a' && (c | 32) <= 'z';
    return cp_has(c, UCD_CASED);
}
static bool cp_isdigit(uint32_t c) {
    if (c < 0x80) return c >= '0' && c <= '9';
    return cp_has(c, UCD_DIGIT);
}
static bool cp_isdecimal(uint32_t c) {
    if (c < 0x80) return c >= '0' && c <= '9';
    return cp_has(c, UCD_DECIMAL);
}
static bool cp_isnumeric(uint32_t c) {
    if (c < 0x80) return c >= '0' && c <= '9';
    return cp_has(c, UCD_NUMERIC);
}
static bool cp_isalpha(uint32_t c) {
    if (c < 0x80) return (c | 32) >= 'a' && (c | 32) <= 'z';
    return cp_has(c, UCD_ALPHA);
}
static bool cp_isalnum(uint32_t c) {
    if (c < 0x80) return ((c | 32) >= 'a' && (c | 32) <= 'z') || (c >= '0' && c <= '9');
    return cp_has(c, UCD_ALPHA | UCD_DECIMAL | UCD_DIGIT | UCD_NUMERIC);
}

/* Characters repr() prints as they are (Python's str.isprintable). */
static bool cp_isprintable(uint32_t c) {
    if (c < 0x80) return c >= 0x20 && c < 0x7F;
    return cp_has(c, UCD_PRINTABLE);
}

char *str_number_text_to_ascii(const char *s, size_t len, size_t *out_len) {
    char *out = mem_alloc(len + 1);
    if (!out) {
        error_no_memory();
        return NULL;
    }
    size_t n = 0, clen;
    for (size_t i = 0; i < len; i += clen) {
        uint32_t c = str_utf8_decode(s + i, &clen);
        int d;
        if (c < 0x80) out[n++] = (char)c;
        else if (str_codepoint_isspace(c)) out[n++] = ' ';
        else if ((d = ucd_decimal_value(c)) >= 0) out[n++] = (char)('0' + d);
        else {
            out[n++] = '?';
            break;
        }
    }
    out[n] = '\0';
    *out_len = n;
    return out;
}

Object *str_parse_number(const char *s, size_t len, Object *bytes, NumberParseFunc parse,
                         int base, const char *message) {
    size_t i = 0;
    while (i < len && (unsigned char)s[i] < 0x80 && !(bytes && s[i] == 0)) i++;
    Object *r = NULL;
    if (i == len) {
        r = parse(s, len, base);
    } else if (!bytes) {
        /* digits and spaces of other scripts: int("\u0661\u0662") is 12 */
        size_t n;
        char *ascii = str_number_text_to_ascii(s, len, &n);
        if (!ascii) return NULL;
        r = parse(ascii, n, base);
        mem_free(ascii, len + 1);
    }
    if (r || error_occurred()) return r;
    Object *text = bytes ? NEWREF(bytes) : str_from_utf8(s, len);
    Object *repr = text ? object_repr(text) : NULL;
    XDECREF(text);
    if (!repr) return NULL;
    char prefix[128]; /* formatted only here: int("12") must not pay for it */
    snprintf(prefix, sizeof prefix, message, base);
    error_set(&exc_ValueError, "%s%s", prefix, str_data(repr));
    DECREF(repr);
    return NULL;
}

void str_trim_number_spaces(const char **start, const char **end) {
    const char *p = *start, *e = *end;
    size_t len;
    while (p < e) {
        uint32_t c = str_utf8_decode(p, &len);
        if (!str_codepoint_isspace(c) || (c >= 0x1C && c <= 0x1F)) break;
        p += len;
    }
    while (e > p) {
        const char *q = e - 1;
        while (q > p && is_continuation((unsigned char)*q)) q--;
        uint32_t c = str_utf8_decode(q, &len);
        if (!str_codepoint_isspace(c) || (c >= 0x1C && c <= 0x1F)) break;
        e = q;
    }
    *start = p;
    *end = e;
}

/* ---- Creation ---- */

Object *str_new_raw(size_t len) {
    /* The caller fills data[0..len): only the fixed fields are cleared. */
    StrObject *s = (StrObject *)object_alloc_unfilled(&str_type, sizeof(StrObject) + len + 1,
                                                      sizeof(StrObject));
    if (!s) return NULL;
    s->hash = -1;
    s->length = len;
    s->data[len] = '\0';
    return (Object *)s;
}

void str_finish(Object *o) {
    StrObject *s = S(o);
    s->nchars = count_chars(s->data, s->length);
    s->ascii = s->nchars == s->length;
}

/* A new string of n bytes whose character count is already known. */
static Object *str_from_known(const char *p, size_t n, size_t nchars) {
    if (n == 0) return NEWREF_IMMORTAL(EMPTY_STR);
    if (n == 1) return ascii_char((unsigned char)p[0]);
    Object *s = str_new_raw(n);
    if (!s) return NULL;
    memcpy(S(s)->data, p, n);
    S(s)->nchars = nchars;
    S(s)->ascii = nchars == n;
    return s;
}

Object *str_from_utf8(const char *p, size_t n) {
    return str_from_known(p, n, count_chars(p, n));
}

Object *str_from_ascii(const char *p, size_t n) {
    return str_from_known(p, n, n);
}

Object *str_new_ascii(size_t len) {
    Object *s = str_new_raw(len);
    if (!s) return NULL;
    S(s)->nchars = len;
    S(s)->ascii = true;
    return s;
}

Object *str_from_cstr(const char *s) {
    return str_from_utf8(s, strlen(s));
}

Object *str_from_format(const char *fmt, ...) {
    StrBuilder b;
    str_builder_init(&b);
    va_list ap;
    va_start(ap, fmt);
    char small[256];
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(small, sizeof small, fmt, copy);
    va_end(copy);
    if (n < 0) { /* printf's count is never trusted unchecked */
        va_end(ap);
        return error_no_memory();
    }
    if ((size_t)n < sizeof small) {
        str_builder_add(&b, small, (size_t)n);
    } else {
        char *big = mem_alloc((size_t)n + 1);
        if (!big) {
            va_end(ap);
            str_builder_discard(&b);
            return error_no_memory();
        }
        vsnprintf(big, (size_t)n + 1, fmt, ap);
        str_builder_add(&b, big, (size_t)n);
        mem_free(big, (size_t)n + 1);
    }
    va_end(ap);
    return str_builder_finish(&b);
}

/* What a method returns when it changes nothing: s itself, or a plain str
   with s's text when s is an instance of a subclass (str's methods return
   str, as in CPython). */
static Object *str_unchanged(Object *s) {
    if (is_str_exact(s)) return NEWREF(s);
    StrObject *so = S(s);
    Object *r = str_new_raw(so->length);
    if (!r) return NULL;
    memcpy(S(r)->data, so->data, so->length);
    S(r)->nchars = so->nchars;
    S(r)->ascii = so->ascii;
    return r;
}

/* The substring of s between byte offsets b0 <= b1 (at character boundaries). */
static Object *str_bytes_slice(Object *s, size_t b0, size_t b1) {
    if (b0 == 0 && b1 == S(s)->length) return str_unchanged(s);
    if (S(s)->ascii) return str_from_known(S(s)->data + b0, b1 - b0, b1 - b0);
    return str_from_utf8(S(s)->data + b0, b1 - b0);
}

static void str_dealloc(Object *o) {
    object_free(o, sizeof(StrObject) + S(o)->length + 1);
}

/* ---- Hashing, equality, interning ---- */

static inline uint64_t rotl64(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

/* The last 1..7 bytes of a string as one word, first byte lowest, the rest
   zero: what memcpy into a zeroed word gives on a little-endian machine, but
   without a call of variable length. Two reads that may overlap cover 4..7
   bytes, and three 1..3; an overlapping byte lands on itself. */
static inline uint64_t tail_word(const unsigned char *p, size_t n) {
    if (n >= 4) {
        uint32_t lo, hi;
        memcpy(&lo, p, 4);
        memcpy(&hi, p + n - 4, 4);
        return (uint64_t)lo | (uint64_t)hi << (8 * (n - 4));
    }
    return (uint64_t)p[0] | (uint64_t)p[n / 2] << (8 * (n / 2)) |
           (uint64_t)p[n - 1] << (8 * (n - 1));
}

/* Multiply-rotate over 8-byte words, then a final avalanche so that short
   keys differing in one byte spread over the whole table index. */
static int64_t hash_bytes(const char *p, size_t n) {
    const uint64_t k = 0x517CC1B727220A95ull;
    uint64_t h = 0x9E3779B97F4A7C15ull ^ (uint64_t)n;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (rotl64(h, 5) ^ w) * k;
        p += 8;
        n -= 8;
    }
    if (n > 0) h = (rotl64(h, 5) ^ tail_word((const unsigned char *)p, n)) * k;
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDull;
    h ^= h >> 33;
    h *= 0xC4CEB9FE1A85EC53ull;
    h ^= h >> 33;
    return (int64_t)(h >> 1); /* never negative: -1 stays free for "not computed" */
}

int64_t str_hash(Object *s) {
    StrObject *so = S(s);
    int64_t h = HASH_CACHE_LOAD(so->hash);
    if (h == -1) {
        h = hash_bytes(so->data, so->length);
        HASH_CACHE_STORE(so->hash, h);
    }
    return h;
}

bool str_equal(Object *a, Object *b) {
    if (a == b) return true;
    StrObject *x = S(a), *y = S(b);
    if (x->length != y->length) return false;
    if (x->interned && y->interned) return false; /* one object per interned text */
    int64_t hx = HASH_CACHE_LOAD(x->hash), hy = HASH_CACHE_LOAD(y->hash);
    if (hx != -1 && hy != -1 && hx != hy) return false;
    return memcmp(x->data, y->data, x->length) == 0;
}

/* Open-addressing set of interned strings; capacity is a power of two and
   at most half full. */
static struct {
    StrObject **slots;
    size_t capacity, used;
} intern_table;
static pthread_mutex_t intern_lock = PTHREAD_MUTEX_INITIALIZER;

/* The slot holding text (p, n) or the empty slot where it belongs. */
static StrObject **intern_find(const char *p, size_t n, int64_t hash) {
    size_t mask = intern_table.capacity - 1;
    for (size_t i = (size_t)hash & mask;; i = (i + 1) & mask) {
        StrObject *s = intern_table.slots[i];
        if (!s || (s->hash == hash && s->length == n && memcmp(s->data, p, n) == 0))
            return &intern_table.slots[i];
    }
}

static bool intern_grow(void) {
    size_t old_cap = intern_table.capacity, new_cap = old_cap ? old_cap * 2 : 1024;
    StrObject **old = intern_table.slots;
    StrObject **slots = mem_alloc(new_cap * sizeof *slots);
    if (!slots) return false;
    memset(slots, 0, new_cap * sizeof *slots);
    intern_table.slots = slots;
    intern_table.capacity = new_cap;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i]) *intern_find(old[i]->data, old[i]->length, old[i]->hash) = old[i];
    mem_free(old, old_cap * sizeof *old);
    return true;
}

/* The interned string for text (p, n): existing, or `candidate` (a str with
   that text, borrowed, may be NULL) made interned, or a new one. NEW ref. */
static Object *intern_text(const char *p, size_t n, Object *candidate) {
    if (n == 0) return NEWREF_IMMORTAL(EMPTY_STR);
    if (n == 1 && (unsigned char)p[0] < 0x80) return ascii_char((unsigned char)p[0]);
    int64_t hash = candidate ? str_hash(candidate) : hash_bytes(p, n);
    pthread_mutex_lock(&intern_lock);
    if ((intern_table.used + 1) * 2 > intern_table.capacity && !intern_grow()) {
        pthread_mutex_unlock(&intern_lock);
        return error_no_memory();
    }
    StrObject **slot = intern_find(p, n, hash);
    Object *result = (Object *)*slot;
    if (!result) {
        result = candidate ? NEWREF(candidate) : str_from_utf8(p, n);
        if (result) {
            S(result)->hash = hash;
            S(result)->interned = true;
            *slot = S(result); /* the table's reference */
            intern_table.used++;
            refcount_immortalize_leaf(result); /* toy-ft: never counted again */
        }
    }
    if (result) INCREF(result); /* the caller's reference */
    pthread_mutex_unlock(&intern_lock);
    return result;
}

Object *str_intern_cstr(const char *s) {
    return intern_text(s, strlen(s), NULL);
}

Object *str_intern(Object *s) {
    if (S(s)->interned) return NEWREF(s);
    /* an instance of a subclass is not interned itself: a plain copy is */
    return intern_text(S(s)->data, S(s)->length, is_str_exact(s) ? s : NULL);
}

void str_intern_clear(void) {
    pthread_mutex_lock(&intern_lock);
    StrObject **slots = intern_table.slots;
    size_t capacity = intern_table.capacity;
    intern_table.slots = NULL;
    intern_table.capacity = intern_table.used = 0;
    pthread_mutex_unlock(&intern_lock);
    for (size_t i = 0; i < capacity; i++) {
        if (!slots[i]) continue;
        slots[i]->interned = false;
        DECREF(slots[i]);
    }
    mem_free(slots, capacity * sizeof *slots);
}

/* ---- Concatenation and repetition ---- */

Object *str_concat(Object *a, Object *b) {
    StrObject *x = S(a), *y = S(b);
    if (y->length == 0) return str_unchanged(a);
    if (x->length == 0) return str_unchanged(b);
    Object *r = str_new_raw(x->length + y->length);
    if (!r) return NULL;
    memcpy(S(r)->data, x->data, x->length);
    memcpy(S(r)->data + x->length, y->data, y->length);
    S(r)->nchars = x->nchars + y->nchars;
    S(r)->ascii = x->ascii && y->ascii;
    return r;
}

int str_concat_inplace(Object **pa, Object *b) {
    Object *a = *pa;
    StrObject *x = S(a), *y = S(b);
    if (!REFCNT_IS(a, 1) || x->interned || y->length == 0 || x->length == 0) {
        Object *r = str_concat(a, b);
        if (!r) return -1;
        *pa = r;
        DECREF(a);
        return 0;
    }
    /* Sole owner: grow the block. The string was allocated by object_alloc
       with exactly this size, which mem_realloc requires. */
    size_t old_size = sizeof(StrObject) + x->length + 1;
    size_t new_len;
    if (__builtin_add_overflow(x->length, y->length, &new_len)) {
        error_no_memory();
        return -1;
    }
    StrObject *grown = mem_realloc(x, old_size, sizeof(StrObject) + new_len + 1);
    if (!grown) {
        error_no_memory();
        return -1;
    }
    /* b may have been a itself: read it from the moved block in that case. */
    const char *src = b == a ? grown->data : y->data;
    memmove(grown->data + grown->length, src, y->length);
    grown->nchars += (b == a) ? grown->nchars : y->nchars;
    grown->ascii = grown->ascii && (b == a || y->ascii);
    grown->length = new_len;
    grown->data[new_len] = '\0';
    grown->hash = -1;
    *pa = (Object *)grown;
    return 0;
}

static Object *str_repeat(Object *s, int64_t n) {
    StrObject *so = S(s);
    if (n <= 0 || so->length == 0) return NEWREF_IMMORTAL(EMPTY_STR);
    if (n == 1) return str_unchanged(s);
    size_t total;
    /* CPython: OverflowError past the largest length, else MemoryError */
    if (so->nchars > (size_t)INT64_MAX / (size_t)n)
        return error_set(&exc_OverflowError, "repeated string is too long");
    if (__builtin_mul_overflow(so->length, (size_t)n, &total) || total > ((size_t)1 << 48))
        return error_no_memory();
    Object *r = str_new_raw(total);
    if (!r) return NULL;
    char *d = S(r)->data;
    memcpy(d, so->data, so->length);
    /* Double the filled prefix until done: log(n) memcpy calls. */
    size_t done = so->length;
    while (done < total) {
        size_t chunk = done <= total - done ? done : total - done;
        memcpy(d + done, d, chunk);
        done += chunk;
    }
    S(r)->nchars = so->nchars * (size_t)n;
    S(r)->ascii = so->ascii;
    return r;
}

/* ---- repr ---- */

Object *str_repr(Object *s) {
    StrObject *so = S(s);
    const char *p = so->data;
    size_t n = so->length;
    bool has_single = memchr(p, '\'', n) != NULL, has_double = memchr(p, '"', n) != NULL;
    char quote = (has_single && !has_double) ? '"' : '\'';
    StrBuilder b;
    str_builder_init(&b);
    str_builder_add_char(&b, quote);
    size_t i = 0;
    while (i < n) {
        /* Copy the run of characters that need no escape in one go. */
        size_t run = i;
        while (run < n) {
            unsigned char c = (unsigned char)p[run];
            if (c < 0x20 || c == 0x7F || c == '\\' || c == (unsigned char)quote || c >= 0x80) break;
            run++;
        }
        str_builder_add(&b, p + i, run - i);
        i = run;
        if (i >= n) break;
        size_t len;
        uint32_t c = str_utf8_decode(p + i, &len);
        if (c == '\\' || c == (uint32_t)quote) {
            str_builder_add_char(&b, '\\');
            str_builder_add_char(&b, (char)c);
        } else if (c == '\n') {
            str_builder_add(&b, "\\n", 2);
        } else if (c == '\r') {
            str_builder_add(&b, "\\r", 2);
        } else if (c == '\t') {
            str_builder_add(&b, "\\t", 2);
        } else if (cp_isprintable(c)) {
            str_builder_add(&b, p + i, len);
        } else if (c < 0x100) {
            str_builder_addf(&b, "\\x%02x", c);
        } else if (c < 0x10000) {
            str_builder_addf(&b, "\\u%04x", c);
        } else {
            str_builder_addf(&b, "\\U%08x", c);
        }
        i += len;
    }
    str_builder_add_char(&b, quote);
    return str_builder_finish(&b);
}

static Object *str_str(Object *s) {
    return str_unchanged(s);
}

/* ---- Slots: hash, compare, len, contains, truth ---- */

static int64_t str_hash_slot(Object *s) { return str_hash(s); }

static int str_compare_bytes(Object *a, Object *b) {
    StrObject *x = S(a), *y = S(b);
    size_t n = x->length < y->length ? x->length : y->length;
    int c = memcmp(x->data, y->data, n);
    if (c != 0) return c < 0 ? -1 : 1;
    return (x->length > y->length) - (x->length < y->length);
}

static Object *str_richcompare(Object *a, Object *b, int op) {
    if (!is_str(a) || !is_str(b)) return NEWREF(NotImplemented);
    if (op == CMP_EQ) return bool_from(str_equal(a, b));
    if (op == CMP_NE) return bool_from(!str_equal(a, b));
    int c = str_compare_bytes(a, b);
    switch (op) {
    case CMP_LT: return bool_from(c < 0);
    case CMP_LE: return bool_from(c <= 0);
    case CMP_GT: return bool_from(c > 0);
    default: return bool_from(c >= 0);
    }
}

static int64_t str_len_slot(Object *s) { return (int64_t)S(s)->nchars; }

static int str_truth(Object *s) { return S(s)->length != 0; }

/* Byte offset of needle in hay[from, to), or -1. */
static int64_t find_bytes(const char *hay, size_t from, size_t to, const char *needle, size_t n) {
    if (to < from || to - from < n) return -1;
    if (n == 0) return (int64_t)from;
    const char *hit = n == 1 ? memchr(hay + from, needle[0], to - from)
                             : memmem(hay + from, to - from, needle, n);
    return hit ? hit - hay : -1;
}

/* Last occurrence in hay[from, to), or -1. */
static int64_t rfind_bytes(const char *hay, size_t from, size_t to, const char *needle, size_t n) {
    if (to < from || to - from < n) return -1;
    if (n == 0) return (int64_t)to;
    if (n == 1) {
        const char *hit = memrchr(hay + from, needle[0], to - from);
        return hit ? hit - hay : -1;
    }
    for (size_t i = to - n + 1; i-- > from;) {
        if (hay[i] == needle[0] && memcmp(hay + i, needle, n) == 0) return (int64_t)i;
    }
    return -1;
}

static int str_contains(Object *s, Object *item) {
    if (!is_str(item)) {
        error_set(&exc_TypeError, "'in <string>' requires string as left operand, not %s",
                  TYPE_NAME(item));
        return -1;
    }
    return find_bytes(S(s)->data, 0, S(s)->length, S(item)->data, S(item)->length) >= 0;
}

/* ---- Indexing and slicing ---- */

/* The character at byte offset off as a string (static for ASCII). */
static Object *char_at_byte(Object *s, size_t off) {
    unsigned char c = (unsigned char)S(s)->data[off];
    if (c < 0x80) return ascii_char(c);
    return str_from_known(S(s)->data + off, utf8_seq_len(c), 1);
}

static Object *str_index_char(Object *s, int64_t i) {
    int64_t n = (int64_t)S(s)->nchars;
    if (i < 0) i += n;
    if (i < 0 || i >= n) return error_set(&exc_IndexError, "string index out of range");
    return char_at_byte(s, byte_offset(s, (size_t)i));
}

Object *str_get_range(Object *s, int64_t start, int64_t stop) {
    if (stop <= start) return NEWREF_IMMORTAL(EMPTY_STR);
    return str_bytes_slice(s, byte_offset(s, (size_t)start), byte_offset(s, (size_t)stop));
}

static Object *str_slice(Object *s, Object *slice) {
    int64_t start, stop, step, count;
    if (slice_indices(slice, (int64_t)S(s)->nchars, &start, &stop, &step, &count) < 0) return NULL;
    if (count <= 0) return NEWREF_IMMORTAL(EMPTY_STR);
    if (step == 1) return str_get_range(s, start, stop);
    StrObject *so = S(s);
    if (so->ascii) {
        Object *r = str_new_raw((size_t)count);
        if (!r) return NULL;
        for (int64_t k = 0; k < count; k++) {
            int64_t i = start + k * step; /* never past the last item: no overflow */
            S(r)->data[k] = so->data[i];
        }
        S(r)->nchars = (size_t)count;
        S(r)->ascii = true;
        return r;
    }
    /* Non-ASCII with a step: note each character's offset once, then pick. */
    size_t noffsets = so->nchars + 1;
    size_t *offsets = mem_alloc(noffsets * sizeof *offsets);
    if (!offsets) return error_no_memory();
    for (size_t i = 0, off = 0; i < noffsets; i++) {
        offsets[i] = off;
        if (off < so->length) off += utf8_seq_len((unsigned char)so->data[off]);
    }
    StrBuilder b;
    str_builder_init(&b);
    for (int64_t k = 0; k < count; k++) {
        int64_t i = start + k * step; /* never past the last item: no overflow */
        str_builder_add(&b, so->data + offsets[i], offsets[i + 1] - offsets[i]);
    }
    mem_free(offsets, noffsets * sizeof *offsets);
    return str_builder_finish(&b);
}

static Object *str_getitem(Object *s, Object *key) {
    if (is_int(key)) {
        if (!int_fits_i64(key)) return int_index_too_big();
        return str_index_char(s, int_value(key));
    }
    if (is_slice(key)) return str_slice(s, key);
    if (TYPE(key)->index) {
        int64_t i;
        if (int_as_i64(key, &i) < 0) return NULL;
        return str_index_char(s, i);
    }
    return error_set(&exc_TypeError, "string indices must be integers, not '%s'", TYPE_NAME(key));
}

/* ---- Iteration ---- */

typedef struct {
    Object base;
    Object *str;    /* owned; NULL once exhausted (toy-ft: kept, core/iterstate.h) */
    size_t offset;  /* byte offset of the next character; ITER_SPENT once
                       exhausted in toy-ft. Only offsets of character starts
                       are ever stored, whichever thread stores last. */
} StrIterObject;


static Object *str_iter(Object *s) {
    /* Python 3.11 names the iterator over an ASCII string differently. */
    Type *type = S(s)->ascii ? &str_ascii_iter_type : &str_iter_type;
    StrIterObject *it = (StrIterObject *)object_alloc(type, sizeof(StrIterObject));
    if (!it) return NULL;
    it->str = NEWREF(s);
    it->offset = 0;
    return (Object *)it;
}

static Object *str_iter_next(Object *self) {
    StrIterObject *it = (StrIterObject *)self;
    if (!it->str) return NULL;
    StrObject *s = S(it->str);
    size_t at = iter_index(&it->offset);
    if (at >= s->length) {
        iter_exhaust(&it->str, &it->offset);
        return NULL;
    }
    unsigned char c = (unsigned char)s->data[at];
    if (c < 0x80) {
        iter_set_index(&it->offset, at + 1);
        return ascii_char(c);
    }
    size_t len = utf8_seq_len(c);
    iter_set_index(&it->offset, at + len);
    return str_from_known(s->data + at, len, 1);
}

static Object *str_iter_self(Object *self) { return NEWREF(self); }

static void str_iter_dealloc(Object *self) {
    StrIterObject *it = (StrIterObject *)self;
    XDECREF(it->str);
    object_free(self, sizeof(StrIterObject));
}

Type str_iter_type = {
    TYPE_HEAD_INIT,
    .name = "str_iterator",
    .base_type = &object_type,
    .instance_size = sizeof(StrIterObject),
    .dealloc = str_iter_dealloc,
    .iter = str_iter_self,
    .iternext = str_iter_next,
};

Type str_ascii_iter_type = {
    TYPE_HEAD_INIT,
    .name = "str_ascii_iterator",
    .base_type = &object_type,
    .instance_size = sizeof(StrIterObject),
    .dealloc = str_iter_dealloc,
    .iter = str_iter_self,
    .iternext = str_iter_next,
};

/* ---- Operators: + * % ---- */

static Object *str_add_slot(Object *a, Object *b) {
    if (is_str(a) && is_str(b)) return str_concat(a, b);
    if (!is_str(a)) return NEWREF(NotImplemented);
    /* A user class may still answer with __radd__; built-ins cannot. */
    if (TYPE(b)->flags & TYPE_HEAP) return NEWREF(NotImplemented);
    return error_set(&exc_TypeError, "can only concatenate str (not \"%s\") to str", TYPE_NAME(b));
}

static Object *str_mul_slot(Object *a, Object *b) {
    Object *s = is_str(a) ? a : b, *n = is_str(a) ? b : a;
    /* an instance of a class gets its __mul__/__rmul__ tried first; its
       __index__ is the fallback (abstract.c) */
    if (TYPE(n)->flags & TYPE_HEAP) return NEWREF(NotImplemented);
    if (is_str(n) || (!is_int(n) && !TYPE(n)->index)) {
        return error_set(&exc_TypeError, "can't multiply sequence by non-int of type '%s'",
                         TYPE_NAME(n));
    }
    int64_t count;
    if (is_int(n) && !int_fits_i64(n)) return int_count_too_big();
    if (int_as_i64(n, &count) < 0) return NULL;
    return str_repeat(s, count);
}

static Object *str_mod_slot(Object *a, Object *b) {
    if (!is_str(a)) return NEWREF(NotImplemented);
    return str_percent_format(a, b);
}

/* ---- Construction ---- */

/* An instance of type (a user subclass of str) holding value's text;
   consumes value. */
static Object *str_subtype_from(Type *type, Object *value) {
    if (!value) return NULL;
    StrObject *v = S(value);
    StrObject *r = (StrObject *)object_alloc(type, sizeof(StrObject) + v->length + 1);
    if (r) {
        r->hash = -1;
        r->length = v->length;
        r->nchars = v->nchars;
        r->ascii = v->ascii;
        memcpy(r->data, v->data, v->length + 1);
    }
    DECREF(value);
    return (Object *)r;
}

static Object *str_value(Object *const *args, size_t nargs, Object *kwnames);

/* cls(...) for a subclass of str: the text, then an instance of cls. Out of
   line, so that str(x) stays as short as it was. */
static __attribute__((noinline)) Object *str_subtype_construct(Type *type, Object *const *args,
                                                               size_t nargs, Object *kwnames) {
    return str_subtype_from(type, str_value(args, nargs, kwnames));
}

static Object *str_construct(Type *type, Object *const *args, size_t nargs, Object *kwnames) {
    if (type != &str_type) return str_subtype_construct(type, args, nargs, kwnames);
    if (nargs == 1 && (!kwnames || tuple_size(kwnames) == 0)) {
        /* str(i) for an int (not a subclass, not bool) needs no dispatch */
        if (TYPE(args[0]) == &int_type) return int_repr(args[0]);
        return object_str(args[0]);
    }
    return str_value(args, nargs, kwnames);
}

/* The text of str(object=..., encoding=..., errors=...): a new str. */
static Object *str_value(Object *const *args, size_t nargs, Object *kwnames) {
    if (nargs == 1 && (!kwnames || tuple_size(kwnames) == 0)) return object_str(args[0]);
    static const char *const names[] = { "object", "encoding", "errors", NULL };
    Object *params[3] = { NULL, NULL, NULL };
    if (args_parse("str", args, nargs, kwnames, names, 0, params) < 0) return NULL;
    const char *text[2] = { "utf-8", "strict" };
    for (int i = 1; i <= 2; i++) {
        if (!params[i]) continue;
        if (!is_str(params[i]))
            return error_set(&exc_TypeError, "str() argument '%s' must be str, not %s", names[i],
                             params[i] == None ? "None" : TYPE_NAME(params[i]));
        text[i - 1] = str_data(params[i]);
    }
    if (!params[0]) return NEWREF_IMMORTAL(EMPTY_STR);
    if (!params[1] && !params[2]) return object_str(params[0]);
    /* str(b, encoding, errors) decodes */
    if (buffer_supported(params[0])) { /* bytes, bytearray, memoryview, array */
        Codec codec;
        Object *data = bytes_from_buffer(params[0]);
        if (!data) return NULL;
        Object *r = bytes_size(data) == 0 ? NEWREF_IMMORTAL(EMPTY_STR) /* no codec lookup */
                  : bytes_codec_lookup(text[0], &codec) < 0 ? NULL
                  : bytes_decode(codec, bytes_data(data), bytes_size(data), text[1]);
        DECREF(data);
        return r;
    }
    if (is_str(params[0])) return error_set(&exc_TypeError, "decoding str is not supported");
    return error_set(&exc_TypeError, "decoding to str: need a bytes-like object, %s found",
                     TYPE_NAME(params[0]));
}

/* ---- Method helpers ---- */

/* A str argument, or TypeError "must be str, not int". */
static bool want_str(Object *o, const char *what) {
    if (is_str(o)) return true;
    if (what)
        error_set(&exc_TypeError, "%s must be str, not %s", what, arg_type_name(o));
    else
        error_set(&exc_TypeError, "must be str, not %s", TYPE_NAME(o));
    return false;
}

/* An optional slice-style index argument (None allowed). 0 ok, -1 error. */
static int optional_index(Object *o, int64_t *out) {
    if (!o || o == None) return 0;
    if (is_int(o)) { *out = int_value(o); return 0; }
    if (TYPE(o)->index) return int_as_i64(o, out);
    error_set(&exc_TypeError, "slice indices must be integers or None or have an __index__ method");
    return -1;
}

/* The [start, end) arguments of find/count/startswith...: code point
   indexes adjusted as slices are, then turned into byte offsets. Returns 0
   with *empty set when start lies beyond end (nothing can match, not even
   ""), else 0 with the byte range; -1 on error. */
static int byte_range(Object *s, Object *start_obj, Object *end_obj, size_t *b0, size_t *b1,
                      bool *empty) {
    int64_t n = (int64_t)S(s)->nchars, start = 0, end = n;
    if (optional_index(start_obj, &start) < 0 || optional_index(end_obj, &end) < 0) return -1;
    if (end > n) end = n;
    else if (end < 0 && (end += n) < 0) end = 0;
    if (start < 0 && (start += n) < 0) start = 0;
    *empty = start > end;
    if (*empty) return 0;
    *b0 = byte_offset(s, (size_t)start);
    *b1 = byte_offset(s, (size_t)end);
    return 0;
}

/* Every method has the CFunction signature. */
/* byte_range for the optional (start, end) after a method's first argument. */
static int range_args(Object *self, Object *const *args, size_t nargs, size_t *b0, size_t *b1,
                      bool *empty) {
    return byte_range(self, nargs > 1 ? args[1] : NULL, nargs > 2 ? args[2] : NULL, b0, b1, empty);
}

/* "str.find" for the argument-count messages (see args_check); a static
   buffer is fine: the name is used before anything else can run. */
static const char *qualified(const char *fname) {
    static _Thread_local char buf[40];
    snprintf(buf, sizeof buf, "str.%s", fname);
    return buf;
}

#define METHOD(name) \
    static Object *name(Object *self, Object *const *args, size_t nargs, Object *kwnames)

/* ---- find, index, count, startswith, endswith ---- */

/* Shared body of find/rfind/index/rindex: the code point index or -1. */
static int search(Object *self, const char *fname, Object *const *args, size_t nargs,
                  Object *kwnames, bool reverse, int64_t *result) {
    if (args_check_varargs(qualified(fname), nargs, kwnames, 1, 3) < 0) return -1;
    /* CPython converts the slice bounds before it looks at the substring */
    size_t b0, b1;
    bool empty;
    if (range_args(self, args, nargs, &b0, &b1, &empty) < 0)
        return -1;
    if (!want_str(args[0], NULL)) return -1;
    *result = -1;
    if (empty) return 0;
    StrObject *sub = S(args[0]);
    int64_t off = reverse ? rfind_bytes(S(self)->data, b0, b1, sub->data, sub->length)
                          : find_bytes(S(self)->data, b0, b1, sub->data, sub->length);
    if (off >= 0) *result = (int64_t)char_index(self, (size_t)off);
    return 0;
}

METHOD(str_find) {
    int64_t r;
    if (search(self, "find", args, nargs, kwnames, false, &r) < 0) return NULL;
    return int_from_i64(r);
}

METHOD(str_rfind) {
    int64_t r;
    if (search(self, "rfind", args, nargs, kwnames, true, &r) < 0) return NULL;
    return int_from_i64(r);
}

METHOD(str_index_method) {
    int64_t r;
    if (search(self, "index", args, nargs, kwnames, false, &r) < 0) return NULL;
    if (r < 0) return error_set(&exc_ValueError, "substring not found");
    return int_from_i64(r);
}

METHOD(str_rindex) {
    int64_t r;
    if (search(self, "rindex", args, nargs, kwnames, true, &r) < 0) return NULL;
    if (r < 0) return error_set(&exc_ValueError, "substring not found");
    return int_from_i64(r);
}

METHOD(str_count) {
    if (args_check_varargs("str.count", nargs, kwnames, 1, 3) < 0) return NULL;
    size_t b0, b1;
    bool empty;
    if (range_args(self, args, nargs, &b0, &b1, &empty) < 0)
        return NULL;
    if (!want_str(args[0], NULL)) return NULL;
    if (empty) return int_from_i64(0);
    StrObject *sub = S(args[0]);
    if (sub->length == 0) /* "" occurs before each character and at the end */
        return int_from_i64((int64_t)count_chars(S(self)->data + b0, b1 - b0) + 1);
    int64_t count = 0, off;
    size_t pos = b0;
    while ((off = find_bytes(S(self)->data, pos, b1, sub->data, sub->length)) >= 0) {
        count++;
        pos = (size_t)off + sub->length;
    }
    return int_from_i64(count);
}

/* startswith / endswith: prefix is a str or a tuple of str. */
static Object *match_affix(Object *self, const char *fname, Object *const *args, size_t nargs,
                           Object *kwnames, bool at_end) {
    if (args_check_varargs(qualified(fname), nargs, kwnames, 1, 3) < 0) return NULL;
    Object *affix = args[0];
    size_t b0, b1;
    bool empty;
    if (range_args(self, args, nargs, &b0, &b1, &empty) < 0) /* first, as CPython */
        return NULL;
    if (!is_str(affix) && !is_tuple(affix))
        return error_set(&exc_TypeError, "%s first arg must be str or a tuple of str, not %s",
                         fname, TYPE_NAME(affix));
    size_t count = is_tuple(affix) ? tuple_size(affix) : 1;
    for (size_t i = 0; i < count; i++) {
        Object *a = is_tuple(affix) ? tuple_item(affix, i) : affix;
        if (!is_str(a))
            return error_set(&exc_TypeError, "tuple for %s must only contain str, not %s", fname,
                             TYPE_NAME(a));
        if (empty) continue;
        size_t n = S(a)->length;
        if (n > b1 - b0) continue;
        const char *at = S(self)->data + (at_end ? b1 - n : b0);
        if (memcmp(at, S(a)->data, n) == 0) return bool_from(true);
    }
    return bool_from(false);
}

METHOD(str_startswith) { return match_affix(self, "startswith", args, nargs, kwnames, false); }
METHOD(str_endswith) { return match_affix(self, "endswith", args, nargs, kwnames, true); }

/* ---- split, rsplit, splitlines, partition, join ---- */

/* Length of the whitespace character at p (0 if p does not start one). */
static size_t space_at(const char *p, const char *end) {
    unsigned char c = (unsigned char)*p;
    if (c < 0x80) return str_codepoint_isspace(c) ? 1 : 0;
    size_t len;
    (void)end;
    uint32_t cp = str_utf8_decode(p, &len);
    return str_codepoint_isspace(cp) ? len : 0;
}

/* Length of the whitespace character ending just before p (0 if none). */
static size_t space_before(const char *start, const char *p) {
    const char *q = p - 1;
    while (q > start && is_continuation((unsigned char)*q)) q--;
    return space_at(q, p) == (size_t)(p - q) ? (size_t)(p - q) : 0;
}

static int append_piece(Object *list, Object *s, const char *p, size_t n) {
    Object *piece = str_bytes_slice(s, (size_t)(p - S(s)->data), (size_t)(p - S(s)->data) + n);
    if (!piece) return -1;
    return list_append_steal(list, piece);
}

/* Reverses a list in place (rsplit collects its pieces right to left). */
static void reverse_list(Object *list) {
    ListObject *l = (ListObject *)list;
    for (size_t i = 0, j = l->size; i + 1 < j; i++, j--) {
        Object *t = l->items[i];
        l->items[i] = l->items[j - 1];
        l->items[j - 1] = t;
    }
}

/* split() with no separator: runs of whitespace, empty ends dropped. Once
   maxsplit pieces are cut, the rest from its first non-space character to
   the end (trailing whitespace included) is the last piece. */
static Object *split_whitespace(Object *s, int64_t maxsplit) {
    Object *list = list_new(0);
    if (!list) return NULL;
    const char *p = S(s)->data, *end = p + S(s)->length;
    size_t w;
    while (p < end) {
        while (p < end && (w = space_at(p, end)) > 0) p += w;
        if (p == end) break;
        const char *word = p;
        if (maxsplit-- == 0) p = end;
        else
            while (p < end && space_at(p, end) == 0) p += utf8_seq_len((unsigned char)*p);
        if (append_piece(list, s, word, (size_t)(p - word)) < 0) { DECREF(list); return NULL; }
    }
    return list;
}

static Object *rsplit_whitespace(Object *s, int64_t maxsplit) {
    Object *list = list_new(0);
    if (!list) return NULL;
    const char *start = S(s)->data, *p = start + S(s)->length;
    size_t w;
    while (p > start) {
        while (p > start && (w = space_before(start, p)) > 0) p -= w;
        if (p == start) break;
        const char *word_end = p;
        if (maxsplit-- == 0) {
            p = start;
        } else {
            while (p > start && space_before(start, p) == 0) {
                p--;
                while (p > start && is_continuation((unsigned char)*p)) p--;
            }
        }
        if (append_piece(list, s, p, (size_t)(word_end - p)) < 0) { DECREF(list); return NULL; }
    }
    reverse_list(list);
    return list;
}

static Object *split_sep(Object *s, Object *sep, int64_t maxsplit) {
    size_t n = S(sep)->length;
    if (n == 0) return error_set(&exc_ValueError, "empty separator");
    Object *list = list_new(0);
    if (!list) return NULL;
    const char *data = S(s)->data;
    size_t len = S(s)->length, pos = 0;
    int64_t off;
    while (maxsplit-- != 0 && (off = find_bytes(data, pos, len, S(sep)->data, n)) >= 0) {
        if (append_piece(list, s, data + pos, (size_t)off - pos) < 0) { DECREF(list); return NULL; }
        pos = (size_t)off + n;
    }
    if (append_piece(list, s, data + pos, len - pos) < 0) { DECREF(list); return NULL; }
    return list;
}

static Object *rsplit_sep(Object *s, Object *sep, int64_t maxsplit) {
    size_t n = S(sep)->length;
    if (n == 0) return error_set(&exc_ValueError, "empty separator");
    Object *list = list_new(0);
    if (!list) return NULL;
    const char *data = S(s)->data;
    size_t end = S(s)->length;
    int64_t off;
    while (maxsplit-- != 0 && (off = rfind_bytes(data, 0, end, S(sep)->data, n)) >= 0) {
        size_t after = (size_t)off + n;
        if (append_piece(list, s, data + after, end - after) < 0) { DECREF(list); return NULL; }
        end = (size_t)off;
    }
    if (append_piece(list, s, data, end) < 0) { DECREF(list); return NULL; }
    reverse_list(list);
    return list;
}

/* Parses split's (sep=None, maxsplit=-1). 0 ok, -1 error. */
static int split_args(const char *fname, Object *const *args, size_t nargs, Object *kwnames,
                      Object **sep, int64_t *maxsplit) {
    static const char *const names[] = { "sep", "maxsplit", NULL };
    Object *params[2] = { NULL, NULL };
    if (args_parse(fname, args, nargs, kwnames, names, 0, params) < 0) return -1;
    *sep = params[0] == None ? NULL : params[0];
    *maxsplit = -1;
    /* maxsplit is converted while the arguments are parsed, sep checked later */
    if (params[1] && int_as_i64(params[1], maxsplit) < 0) return -1;
    if (*sep && !is_str(*sep)) {
        error_set(&exc_TypeError, "must be str or None, not %s", TYPE_NAME(*sep));
        return -1;
    }
    return 0;
}

METHOD(str_split) {
    Object *sep;
    int64_t maxsplit;
    if (split_args("split", args, nargs, kwnames, &sep, &maxsplit) < 0) return NULL;
    return sep ? split_sep(self, sep, maxsplit) : split_whitespace(self, maxsplit);
}

METHOD(str_rsplit) {
    Object *sep;
    int64_t maxsplit;
    if (split_args("rsplit", args, nargs, kwnames, &sep, &maxsplit) < 0) return NULL;
    return sep ? rsplit_sep(self, sep, maxsplit) : rsplit_whitespace(self, maxsplit);
}

/* Length of the line break at p, or 0 (Python's splitlines boundaries). */
static size_t line_break_at(const char *p, const char *end) {
    unsigned char c = (unsigned char)*p;
    if (c == '\r') return (p + 1 < end && p[1] == '\n') ? 2 : 1;
    if (c == '\n' || c == '\v' || c == '\f' || (c >= 0x1C && c <= 0x1E)) return 1;
    if (c < 0x80) return 0;
    size_t len;
    uint32_t cp = str_utf8_decode(p, &len);
    return (cp == 0x85 || cp == 0x2028 || cp == 0x2029) ? len : 0;
}

METHOD(str_splitlines) {
    static const char *const names[] = { "keepends", NULL };
    Object *keep_obj = NULL;
    if (args_parse("splitlines", args, nargs, kwnames, names, 0, &keep_obj) < 0) return NULL;
    int64_t keepends = 0; /* an int, as CPython: splitlines(None) is a TypeError */
    if (keep_obj && object_as_index(keep_obj, &keepends, NULL) < 0) return NULL;
    if (keepends < INT32_MIN || keepends > INT32_MAX)
        return error_set(&exc_OverflowError, "Python int too large to convert to C int");
    Object *list = list_new(0);
    if (!list) return NULL;
    const char *p = S(self)->data, *end = p + S(self)->length;
    while (p < end) {
        const char *line = p;
        size_t br = 0;
        while (p < end && (br = line_break_at(p, end)) == 0) p += utf8_seq_len((unsigned char)*p);
        size_t n = (size_t)(p - line) + (keepends ? br : 0);
        if (append_piece(list, self, line, n) < 0) { DECREF(list); return NULL; }
        p += br;
    }
    return list;
}

/* partition / rpartition: a 3-tuple. */
static Object *partition(Object *self, Object *const *args, size_t nargs, Object *kwnames,
                         bool reverse) {
    if (args_check(reverse ? "str.rpartition" : "str.partition", nargs, kwnames, 1, 1) < 0) return NULL;
    Object *sep = args[0];
    if (!want_str(sep, NULL)) return NULL;
    if (S(sep)->length == 0) return error_set(&exc_ValueError, "empty separator");
    size_t len = S(self)->length, n = S(sep)->length;
    int64_t off = reverse ? rfind_bytes(S(self)->data, 0, len, S(sep)->data, n)
                          : find_bytes(S(self)->data, 0, len, S(sep)->data, n);
    Object *parts[3];
    if (off < 0) {
        parts[0] = reverse ? NEWREF_IMMORTAL(EMPTY_STR) : NEWREF(self);
        parts[1] = NEWREF_IMMORTAL(EMPTY_STR);
        parts[2] = reverse ? NEWREF(self) : NEWREF_IMMORTAL(EMPTY_STR);
    } else {
        parts[0] = str_bytes_slice(self, 0, (size_t)off);
        parts[1] = NEWREF(sep);
        parts[2] = str_bytes_slice(self, (size_t)off + n, len);
    }
    Object *t = (parts[0] && parts[2]) ? tuple_new(3) : NULL;
    if (!t) {
        for (int i = 0; i < 3; i++) XDECREF(parts[i]);
        return NULL;
    }
    for (int i = 0; i < 3; i++) tuple_set_steal(t, (size_t)i, parts[i]);
    return t;
}

METHOD(str_partition) { return partition(self, args, nargs, kwnames, false); }
METHOD(str_rpartition) { return partition(self, args, nargs, kwnames, true); }

/* sep.join(items) over an array of borrowed items. */
static Object *join_array(Object *sep, Object *const *items, size_t n) {
    if (n == 0) return NEWREF_IMMORTAL(EMPTY_STR);
    if (n == 1 && is_str_exact(items[0])) return NEWREF(items[0]);
    size_t total = 0, nchars = 0;
    bool ascii = S(sep)->ascii;
    for (size_t i = 0; i < n; i++) {
        if (!is_str(items[i]))
            return error_set(&exc_TypeError, "sequence item %zu: expected str instance, %s found",
                             i, TYPE_NAME(items[i]));
        total += S(items[i])->length;
        nchars += S(items[i])->nchars;
        ascii = ascii && S(items[i])->ascii;
    }
    total += S(sep)->length * (n - 1);
    nchars += S(sep)->nchars * (n - 1);
    Object *r = str_new_raw(total);
    if (!r) return NULL;
    char *d = S(r)->data;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && S(sep)->length) {
            memcpy(d, S(sep)->data, S(sep)->length);
            d += S(sep)->length;
        }
        memcpy(d, S(items[i])->data, S(items[i])->length);
        d += S(items[i])->length;
    }
    S(r)->nchars = nchars;
    S(r)->ascii = ascii;
    return r;
}

Object *str_join(Object *sep, Object *iterable) {
    if (is_list_exact(iterable)) {
        /* Joined under the list's lock (toy-ft: another thread may grow it
           and move its items meanwhile); join_array runs no user code. */
        objlock_lock(iterable);
        Object *r = join_array(sep, ((ListObject *)iterable)->items, list_size(iterable));
        objlock_unlock(iterable);
        return r;
    }
    if (is_tuple_exact(iterable))
        return join_array(sep, tuple_items(iterable), tuple_size(iterable));
    if (!TYPE(iterable)->iter && !TYPE(iterable)->getitem)
        return error_set(&exc_TypeError, "can only join an iterable");
    Object *list = list_from_iterable(iterable);
    if (!list) return NULL;
    Object *r = join_array(sep, ((ListObject *)list)->items, list_size(list));
    DECREF(list);
    return r;
}

METHOD(str_join_method) {
    if (args_check("str.join", nargs, kwnames, 1, 1) < 0) return NULL;
    return str_join(self, args[0]);
}

/* ---- strip ---- */

/* Is the character at p one of chars (NULL: whitespace)? Returns its length or 0. */
static size_t strip_char_at(const char *p, const char *end, Object *chars) {
    if (!chars) return space_at(p, end);
    size_t len = utf8_seq_len((unsigned char)*p);
    /* Search chars for this exact UTF-8 sequence (at a character boundary). */
    const char *c = S(chars)->data, *cend = c + S(chars)->length;
    while (c < cend) {
        size_t clen = utf8_seq_len((unsigned char)*c);
        if (clen == len && memcmp(c, p, len) == 0) return len;
        c += clen;
    }
    return 0;
}

static Object *strip(Object *self, const char *fname, Object *const *args, size_t nargs,
                     Object *kwnames, bool left, bool right) {
    if (args_check(qualified(fname), nargs, kwnames, 0, 1) < 0) return NULL;
    Object *chars = nargs > 0 && args[0] != None ? args[0] : NULL;
    if (chars && !is_str(chars))
        return error_set(&exc_TypeError, "%s arg must be None or str", fname);
    const char *start = S(self)->data, *p = start, *end = start + S(self)->length;
    size_t w;
    if (left)
        while (p < end && (w = strip_char_at(p, end, chars)) > 0) p += w;
    if (right) {
        while (end > p) {
            const char *q = end - 1;
            while (q > p && is_continuation((unsigned char)*q)) q--;
            if (strip_char_at(q, end, chars) == 0) break;
            end = q;
        }
    }
    return str_bytes_slice(self, (size_t)(p - start), (size_t)(end - start));
}

METHOD(str_strip) { return strip(self, "strip", args, nargs, kwnames, true, true); }
METHOD(str_lstrip) { return strip(self, "lstrip", args, nargs, kwnames, true, false); }
METHOD(str_rstrip) { return strip(self, "rstrip", args, nargs, kwnames, false, true); }

METHOD(str_removeprefix) {
    if (args_check("str.removeprefix", nargs, kwnames, 1, 1) < 0) return NULL;
    if (!want_str(args[0], "removeprefix() argument")) return NULL;
    size_t n = S(args[0])->length;
    if (n <= S(self)->length && memcmp(S(self)->data, S(args[0])->data, n) == 0)
        return str_bytes_slice(self, n, S(self)->length);
    return str_unchanged(self);
}

METHOD(str_removesuffix) {
    if (args_check("str.removesuffix", nargs, kwnames, 1, 1) < 0) return NULL;
    if (!want_str(args[0], "removesuffix() argument")) return NULL;
    size_t n = S(args[0])->length, len = S(self)->length;
    if (n > 0 && n <= len && memcmp(S(self)->data + len - n, S(args[0])->data, n) == 0)
        return str_bytes_slice(self, 0, len - n);
    return str_unchanged(self);
}

/* ---- Case mapping ---- */

typedef enum { CASE_LOWER, CASE_UPPER, CASE_SWAP, CASE_CAPITALIZE, CASE_TITLE, CASE_FOLD } CaseMode;

/* The code point ending just before byte offset pos of s (pos > 0). */
static uint32_t decode_before(const char *s, size_t pos, size_t *start) {
    size_t q = pos - 1;
    while (q > 0 && is_continuation((unsigned char)s[q])) q--;
    size_t len;
    *start = q;
    return str_utf8_decode(s + q, &len);
}

/* Unicode's Final_Sigma condition for the capital sigma at bytes [at, end)
   of s: a cased letter before it and none after it, skipping
   case-ignorable characters on both sides. */
static bool final_sigma(const char *s, size_t length, size_t at, size_t end) {
    size_t pos = at, len;
    uint32_t c = 0;
    bool found = false;
    while (pos > 0) {
        c = decode_before(s, pos, &pos);
        if (!cp_has(c, UCD_CASE_IGNORABLE)) {
            found = true;
            break;
        }
    }
    if (!found || !cp_iscased(c)) return false;
    for (pos = end; pos < length; pos += len) {
        c = str_utf8_decode(s + pos, &len);
        if (!cp_has(c, UCD_CASE_IGNORABLE)) return !cp_iscased(c);
    }
    return true;
}

/* Appends the full mapping of the character c at bytes [at, end) of s. */
static void add_mapped(StrBuilder *b, const char *s, size_t length, size_t at, size_t end,
                       uint32_t c, UcdMapping which) {
    uint32_t out[3];
    int n;
    if (which == UCD_MAP_LOWER && c == 0x3A3) { /* capital sigma: context decides */
        out[0] = final_sigma(s, length, at, end) ? 0x3C2 : 0x3C3;
        n = 1;
    } else {
        n = ucd_case_map(c, which, out);
    }
    char buf[4];
    for (int i = 0; i < n; i++) str_builder_add(b, buf, str_utf8_encode(out[i], buf));
}

/* ASCII strings change case byte by byte. */
static Object *change_case_ascii(Object *self, CaseMode mode) {
    StrObject *s = S(self);
    Object *r = str_new_raw(s->length);
    if (!r) return NULL;
    bool prev_cased = false;
    for (size_t i = 0; i < s->length; i++) {
        unsigned char c = (unsigned char)s->data[i];
        bool up = (c >= 'A' && c <= 'Z'), low = (c >= 'a' && c <= 'z');
        bool to_upper;
        switch (mode) {
        case CASE_LOWER: case CASE_FOLD: to_upper = false; break;
        case CASE_UPPER: to_upper = true; break;
        case CASE_SWAP: to_upper = low; break;
        case CASE_CAPITALIZE: to_upper = i == 0; break;
        default: to_upper = !prev_cased; break;
        }
        prev_cased = up || low;
        if (to_upper && low) c -= 32;
        else if (!to_upper && up) c += 32;
        S(r)->data[i] = (char)c;
    }
    S(r)->nchars = s->length;
    S(r)->ascii = true;
    return r;
}

/* The case methods with Python's rules for all of Unicode: full mappings
   (one character may become several), capitalize() and title() use the
   titlecase mapping, lower() turns a final capital sigma into a final
   small sigma. */
static Object *change_case(Object *self, CaseMode mode) {
    StrObject *s = S(self);
    if (s->ascii) return change_case_ascii(self, mode);
    StrBuilder b;
    str_builder_init(&b);
    bool prev_cased = false;
    size_t i = 0, len;
    for (size_t k = 0; i < s->length; k++, i += len) {
        uint32_t c = str_utf8_decode(s->data + i, &len);
        int which;
        switch (mode) {
        case CASE_LOWER: which = UCD_MAP_LOWER; break;
        case CASE_UPPER: which = UCD_MAP_UPPER; break;
        case CASE_FOLD: which = UCD_MAP_FOLD; break;
        case CASE_SWAP:
            which = cp_isupper(c) ? UCD_MAP_LOWER : cp_islower(c) ? UCD_MAP_UPPER : -1;
            break;
        case CASE_CAPITALIZE: which = k == 0 ? UCD_MAP_TITLE : UCD_MAP_LOWER; break;
        default: which = prev_cased ? UCD_MAP_LOWER : UCD_MAP_TITLE; break;
        }
        prev_cased = cp_iscased(c);
        if (which < 0) str_builder_add(&b, s->data + i, len);
        else add_mapped(&b, s->data, s->length, i, i + len, c, (UcdMapping)which);
    }
    return str_builder_finish(&b);
}

METHOD(str_lower) {
    (void)args;
    if (args_check("str.lower", nargs, kwnames, 0, 0) < 0) return NULL;
    return change_case(self, CASE_LOWER);
}
METHOD(str_upper) {
    (void)args;
    if (args_check("str.upper", nargs, kwnames, 0, 0) < 0) return NULL;
    return change_case(self, CASE_UPPER);
}
METHOD(str_swapcase) {
    (void)args;
    if (args_check("str.swapcase", nargs, kwnames, 0, 0) < 0) return NULL;
    return change_case(self, CASE_SWAP);
}
METHOD(str_capitalize) {
    (void)args;
    if (args_check("str.capitalize", nargs, kwnames, 0, 0) < 0) return NULL;
    return change_case(self, CASE_CAPITALIZE);
}
METHOD(str_title) {
    (void)args;
    if (args_check("str.title", nargs, kwnames, 0, 0) < 0) return NULL;
    return change_case(self, CASE_TITLE);
}
METHOD(str_casefold) {
    (void)args;
    if (args_check("str.casefold", nargs, kwnames, 0, 0) < 0) return NULL;
    return change_case(self, CASE_FOLD);
}

/* ---- Predicates: isdigit, isalpha, ... ---- */

typedef bool (*CharPredicate)(uint32_t c);

/* True when s is non-empty and every character satisfies pred. */
static Object *all_chars(Object *self, const char *fname, size_t nargs, Object *kwnames,
                         CharPredicate pred) {
    if (args_check(qualified(fname), nargs, kwnames, 0, 0) < 0) return NULL;
    StrObject *s = S(self);
    if (s->length == 0) return bool_from(false);
    size_t len;
    for (size_t i = 0; i < s->length; i += len)
        if (!pred(str_utf8_decode(s->data + i, &len))) return bool_from(false);
    return bool_from(true);
}

#define PREDICATE_METHOD(method, pyname, pred)                                  \
    METHOD(method) {                                                            \
        (void)args;                                                             \
        return all_chars(self, pyname, nargs, kwnames, pred);                   \
    }
PREDICATE_METHOD(str_isdigit, "isdigit", cp_isdigit)
PREDICATE_METHOD(str_isdecimal, "isdecimal", cp_isdecimal)
PREDICATE_METHOD(str_isnumeric, "isnumeric", cp_isnumeric)
PREDICATE_METHOD(str_isalpha, "isalpha", cp_isalpha)
PREDICATE_METHOD(str_isalnum, "isalnum", cp_isalnum)
PREDICATE_METHOD(str_isspace, "isspace", str_codepoint_isspace)
/* unlike the others, isprintable() is true of the empty string */
METHOD(str_isprintable_method) {
    (void)args;
    if (S(self)->length == 0 && nargs == 0 && (!kwnames || tuple_size(kwnames) == 0))
        return bool_from(true);
    return all_chars(self, "isprintable", nargs, kwnames, cp_isprintable);
}

METHOD(str_isascii) {
    (void)args;
    if (args_check("str.isascii", nargs, kwnames, 0, 0) < 0) return NULL;
    return bool_from(S(self)->ascii);
}

/* isupper / islower: at least one character of the case, and none of the
   other case or titlecase. */
static Object *check_case(Object *self, const char *fname, size_t nargs, Object *kwnames,
                          bool upper) {
    if (args_check(qualified(fname), nargs, kwnames, 0, 0) < 0) return NULL;
    StrObject *s = S(self);
    bool any_cased = false;
    size_t len;
    for (size_t i = 0; i < s->length; i += len) {
        uint32_t c = str_utf8_decode(s->data + i, &len);
        if ((upper ? cp_islower(c) : cp_isupper(c)) || cp_istitle(c)) return bool_from(false);
        if (upper ? cp_isupper(c) : cp_islower(c)) any_cased = true;
    }
    return bool_from(any_cased);
}

METHOD(str_isupper) { (void)args; return check_case(self, "isupper", nargs, kwnames, true); }
METHOD(str_islower) { (void)args; return check_case(self, "islower", nargs, kwnames, false); }

METHOD(str_istitle) {
    (void)args;
    if (args_check("str.istitle", nargs, kwnames, 0, 0) < 0) return NULL;
    StrObject *s = S(self);
    bool prev_cased = false, any = false;
    size_t len;
    for (size_t i = 0; i < s->length; i += len) {
        uint32_t c = str_utf8_decode(s->data + i, &len);
        if (cp_isupper(c) || cp_istitle(c)) {
            if (prev_cased) return bool_from(false);
            prev_cased = any = true;
        } else if (cp_islower(c)) {
            if (!prev_cased) return bool_from(false);
            prev_cased = any = true;
        } else {
            prev_cased = false;
        }
    }
    return bool_from(any);
}

METHOD(str_isidentifier) {
    (void)args;
    if (args_check("str.isidentifier", nargs, kwnames, 0, 0) < 0) return NULL;
    StrObject *s = S(self);
    if (s->length == 0) return bool_from(false);
    size_t len;
    for (size_t i = 0; i < s->length; i += len) {
        uint32_t c = str_utf8_decode(s->data + i, &len);
        if (!cp_has(c, i == 0 ? UCD_ID_START : UCD_ID_CONTINUE)) return bool_from(false);
    }
    return bool_from(true);
}

/* ---- replace ---- */

METHOD(str_replace) {
    if (args_check("str.replace", nargs, kwnames, 2, 3) < 0) return NULL;
    if (!want_str(args[0], "replace() argument 1") || !want_str(args[1], "replace() argument 2"))
        return NULL;
    int64_t limit = -1;
    if (nargs > 2 && int_as_i64(args[2], &limit) < 0) return NULL;
    StrObject *s = S(self), *old = S(args[0]), *new_ = S(args[1]);
    if (limit == 0) return str_unchanged(self);
    StrBuilder b;
    str_builder_init(&b);
    size_t pos = 0;
    int64_t done = 0;
    if (old->length == 0) {
        /* new goes before every character and at the end. */
        size_t len;
        for (; pos < s->length && (limit < 0 || done < limit); pos += len, done++) {
            str_builder_add(&b, new_->data, new_->length);
            len = utf8_seq_len((unsigned char)s->data[pos]);
            str_builder_add(&b, s->data + pos, len);
        }
        if (limit < 0 || done < limit) {
            str_builder_add(&b, new_->data, new_->length);
            done++;
        }
    } else {
        int64_t off;
        while ((limit < 0 || done < limit) &&
               (off = find_bytes(s->data, pos, s->length, old->data, old->length)) >= 0) {
            str_builder_add(&b, s->data + pos, (size_t)off - pos);
            str_builder_add(&b, new_->data, new_->length);
            pos = (size_t)off + old->length;
            done++;
        }
    }
    if (done == 0) {
        str_builder_discard(&b);
        return str_unchanged(self);
    }
    str_builder_add(&b, s->data + pos, s->length - pos);
    return str_builder_finish(&b);
}

/* ---- Padding: zfill, center, ljust, rjust, expandtabs ---- */

/* Parses (width[, fillchar]); the fill character must be one code point. */
static int pad_args(const char *fname, Object *const *args, size_t nargs, Object *kwnames,
                    int64_t *width, const char **fill, size_t *fill_len) {
    if (args_check(qualified(fname), nargs, kwnames, 1, 2) < 0) return -1;
    if (int_as_i64(args[0], width) < 0) return -1;
    *fill = " ";
    *fill_len = 1;
    if (nargs > 1) {
        Object *f = args[1];
        if (!is_str(f)) {
            error_set(&exc_TypeError, "The fill character must be a unicode character, not %s",
                      TYPE_NAME(f));
            return -1;
        }
        if (S(f)->nchars != 1) {
            error_set(&exc_TypeError, "The fill character must be exactly one character long");
            return -1;
        }
        *fill = S(f)->data;
        *fill_len = S(f)->length;
    }
    return 0;
}

/* s with `left` fill characters before it and `right` after. */
static Object *pad(Object *self, size_t left, size_t right, const char *fill, size_t fill_len) {
    if (left == 0 && right == 0) return str_unchanged(self);
    StrBuilder b;
    str_builder_init(&b);
    if (str_builder_reserve(&b, left + right, fill_len))
        for (size_t i = 0; i < left; i++) str_builder_add(&b, fill, fill_len);
    str_builder_add(&b, S(self)->data, S(self)->length);
    if (!b.failed)
        for (size_t i = 0; i < right; i++) str_builder_add(&b, fill, fill_len);
    return str_builder_finish(&b);
}

static Object *justify(Object *self, const char *fname, Object *const *args, size_t nargs,
                       Object *kwnames, char align) {
    int64_t width;
    const char *fill;
    size_t fill_len;
    if (pad_args(fname, args, nargs, kwnames, &width, &fill, &fill_len) < 0) return NULL;
    size_t n = S(self)->nchars;
    if (width <= (int64_t)n) return str_unchanged(self);
    size_t extra = (size_t)width - n, left;
    if (align == '<') left = 0;
    else if (align == '>') left = extra;
    else left = extra / 2 + (extra & (size_t)width & 1); /* Python's centring rule */
    return pad(self, left, extra - left, fill, fill_len);
}

METHOD(str_center) { return justify(self, "center", args, nargs, kwnames, '^'); }
METHOD(str_ljust) { return justify(self, "ljust", args, nargs, kwnames, '<'); }
METHOD(str_rjust) { return justify(self, "rjust", args, nargs, kwnames, '>'); }

METHOD(str_zfill) {
    if (args_check("str.zfill", nargs, kwnames, 1, 1) < 0) return NULL;
    int64_t width;
    if (int_as_i64(args[0], &width) < 0) return NULL;
    StrObject *s = S(self);
    if (width <= (int64_t)s->nchars) return str_unchanged(self);
    size_t zeros = (size_t)width - s->nchars;
    StrBuilder b;
    str_builder_init(&b);
    size_t sign = (s->length > 0 && (s->data[0] == '+' || s->data[0] == '-')) ? 1 : 0;
    str_builder_add(&b, s->data, sign);
    if (str_builder_reserve(&b, zeros, 1))
        for (size_t i = 0; i < zeros; i++) str_builder_add_char(&b, '0');
    str_builder_add(&b, s->data + sign, s->length - sign);
    return str_builder_finish(&b);
}

METHOD(str_expandtabs) {
    static const char *const names[] = { "tabsize", NULL };
    Object *size_obj = NULL;
    if (args_parse("expandtabs", args, nargs, kwnames, names, 0, &size_obj) < 0) return NULL;
    int64_t tabsize = 8;
    if (size_obj && int_as_i64(size_obj, &tabsize) < 0) return NULL;
    if (tabsize < INT32_MIN || tabsize > INT32_MAX) /* a C int in CPython */
        return error_set(&exc_OverflowError, "Python int too large to convert to C int");
    StrObject *s = S(self);
    StrBuilder b;
    str_builder_init(&b);
    int64_t column = 0;
    size_t len;
    for (size_t i = 0; i < s->length; i += len) {
        len = utf8_seq_len((unsigned char)s->data[i]);
        char c = s->data[i];
        if (c == '\t') {
            if (tabsize > 0) {
                int64_t spaces = tabsize - column % tabsize;
                if (!str_builder_reserve(&b, (size_t)spaces, 1)) break;
                for (int64_t k = 0; k < spaces; k++) str_builder_add_char(&b, ' ');
                column += spaces;
            }
        } else {
            str_builder_add(&b, s->data + i, len);
            column = (c == '\n' || c == '\r') ? 0 : column + 1;
        }
    }
    return str_builder_finish(&b);
}

METHOD(str_format_method) { return str_format(self, args, nargs, kwnames); }

METHOD(str_format_map_method) { return str_format_map(self, args, nargs, kwnames); }

/* (plain str with self's text,): what copy and pickle pass to str.__new__. */
METHOD(str_getnewargs) {
    (void)args;
    if (args_check("str.__getnewargs__", nargs, kwnames, 0, 0) < 0) return NULL;
    Object *v = str_unchanged(self);
    Object *t = v ? tuple_pack(1, v) : NULL;
    XDECREF(v);
    return t;
}

METHOD(str_dunder_format) {
    if (args_check("str.__format__", nargs, kwnames, 1, 1) < 0) return NULL;
    if (!want_str(args[0], "format() argument")) return NULL;
    return format_object_builtin(self, args[0]);
}

static const MethodDef str_methods[] = {
    { "encode", str_encode_method, NULL },
    { "find", str_find, NULL },
    { "rfind", str_rfind, NULL },
    { "index", str_index_method, NULL },
    { "rindex", str_rindex, NULL },
    { "count", str_count, NULL },
    { "startswith", str_startswith, NULL },
    { "endswith", str_endswith, NULL },
    { "split", str_split, NULL },
    { "rsplit", str_rsplit, NULL },
    { "splitlines", str_splitlines, NULL },
    { "partition", str_partition, NULL },
    { "rpartition", str_rpartition, NULL },
    { "join", str_join_method, NULL },
    { "strip", str_strip, NULL },
    { "lstrip", str_lstrip, NULL },
    { "rstrip", str_rstrip, NULL },
    { "removeprefix", str_removeprefix, NULL },
    { "removesuffix", str_removesuffix, NULL },
    { "lower", str_lower, NULL },
    { "upper", str_upper, NULL },
    { "swapcase", str_swapcase, NULL },
    { "translate", str_translate, NULL },
    { "maketrans", str_maketrans, NULL },
    { "capitalize", str_capitalize, NULL },
    { "title", str_title, NULL },
    { "casefold", str_casefold, NULL },
    { "isdigit", str_isdigit, NULL },
    { "isdecimal", str_isdecimal, NULL },
    { "isnumeric", str_isnumeric, NULL },
    { "isalpha", str_isalpha, NULL },
    { "isalnum", str_isalnum, NULL },
    { "isspace", str_isspace, NULL },
    { "isprintable", str_isprintable_method, NULL },
    { "isascii", str_isascii, NULL },
    { "isupper", str_isupper, NULL },
    { "islower", str_islower, NULL },
    { "istitle", str_istitle, NULL },
    { "isidentifier", str_isidentifier, NULL },
    { "replace", str_replace, NULL },
    { "center", str_center, NULL },
    { "ljust", str_ljust, NULL },
    { "rjust", str_rjust, NULL },
    { "zfill", str_zfill, NULL },
    { "expandtabs", str_expandtabs, NULL },
    { "format", str_format_method, NULL },
    { "format_map", str_format_map_method, NULL },
    { "__getnewargs__", str_getnewargs, NULL },
    { "__format__", str_dunder_format, NULL },
    { NULL, NULL, NULL },
};

Type str_type = {
    TYPE_HEAD_INIT,
    .name = "str",
    .base_type = &object_type,
    .flags = TYPE_BASETYPE,
    .instance_size = sizeof(StrObject),
    .methods = str_methods,
    .dealloc = str_dealloc,
    .repr = str_repr,
    .str = str_str,
    .hash = str_hash_slot,
    .richcompare = str_richcompare,
    .construct = str_construct,
    .iter = str_iter,
    .len = str_len_slot,
    .getitem = str_getitem,
    .contains = str_contains,
    .truth = str_truth,
    .binary = {
        [BINOP_ADD] = str_add_slot,
        [BINOP_MUL] = str_mul_slot,
        [BINOP_MOD] = str_mod_slot,
    },
};

/* ---- StrBuilder ---- */

void str_builder_init(StrBuilder *b) {
    b->data = b->inline_buf;
    b->len = 0;
    b->cap = sizeof b->inline_buf;
    b->failed = false;
}

/* Makes room for `extra` more bytes; false (and `failed`) when memory runs out. */
static bool builder_reserve(StrBuilder *b, size_t extra) {
    if (b->failed) return false;
    if (b->cap - b->len >= extra) return true;
    size_t need = b->len + extra, cap = b->cap * 2;
    if (need < b->len) { b->failed = true; return false; }
    if (cap < need) cap = need;
    char *p;
    if (b->data == b->inline_buf) {
        p = mem_alloc(cap);
        if (p) memcpy(p, b->data, b->len);
    } else {
        p = mem_realloc(b->data, b->cap, cap);
    }
    if (!p) { b->failed = true; return false; }
    b->data = p;
    b->cap = cap;
    return true;
}

bool str_builder_reserve(StrBuilder *b, size_t count, size_t size) {
    size_t total;
    if (__builtin_mul_overflow(count, size, &total)) {
        b->failed = true;
        return false;
    }
    return builder_reserve(b, total);
}

void str_builder_add(StrBuilder *b, const char *s, size_t len) {
    if (!builder_reserve(b, len)) return;
    memcpy(b->data + b->len, s, len);
    b->len += len;
}

void str_builder_add_cstr(StrBuilder *b, const char *s) { str_builder_add(b, s, strlen(s)); }

void str_builder_add_char(StrBuilder *b, char c) {
    if (b->len < b->cap) {
        b->data[b->len++] = c;
        return;
    }
    str_builder_add(b, &c, 1);
}

void str_builder_add_str(StrBuilder *b, Object *s) { str_builder_add(b, S(s)->data, S(s)->length); }

void str_builder_addf(StrBuilder *b, const char *fmt, ...) {
    va_list ap, copy;
    va_start(ap, fmt);
    va_copy(copy, ap);
    size_t room = b->failed ? 0 : b->cap - b->len;
    int n = vsnprintf(room ? b->data + b->len : NULL, room, fmt, copy);
    va_end(copy);
    if (n < 0) { /* printf failed: the builder's result must not look complete */
        b->failed = true;
        va_end(ap);
        return;
    }
    if ((size_t)n >= room) {
        if (!builder_reserve(b, (size_t)n + 1)) {
            va_end(ap);
            return;
        }
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    }
    b->len += (size_t)n;
    va_end(ap);
}

Object *str_builder_finish(StrBuilder *b) {
    if (b->failed) {
        str_builder_discard(b);
        return error_no_memory();
    }
    Object *r = str_from_utf8(b->data, b->len);
    str_builder_discard(b);
    return r;
}

void str_builder_discard(StrBuilder *b) {
    if (b->data != b->inline_buf) mem_free(b->data, b->cap);
    b->data = b->inline_buf;
    b->len = 0;
    b->cap = sizeof b->inline_buf;
}
