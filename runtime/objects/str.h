/* str.h - immutable Unicode strings, stored as UTF-8.
 *
 * A StrObject holds its bytes inline, NUL-terminated (the NUL is not part of
 * the string; strings may contain NUL characters). `length` counts bytes,
 * `nchars` counts code points (what len() returns); when the string is ASCII
 * they are equal and indexing is O(1), otherwise indexing walks the UTF-8.
 * The hash is computed once and cached (-1 until then).
 *
 * Interning: str_intern() returns the one shared object for a given text.
 * Identifiers (names, attribute names, keyword names) are always interned so
 * dict lookups can match them by pointer first. The intern table is shared by
 * all threads and protected by its own mutex (not the GIL), so it stays safe
 * under --no-gil.
 */
#ifndef TOY_STR_H
#define TOY_STR_H

#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include "core/object.h"

typedef struct {
    Object base;
    int64_t hash;      /* -1: not computed yet */
    size_t length;     /* bytes */
    size_t nchars;     /* code points */
    bool ascii;
    bool interned;
    char data[];       /* length bytes + NUL */
} StrObject;

extern Type str_type;

/* str or a user subclass of it (whose instances are StrObjects: object.h);
   is_str_exact: str itself, never interned or returned as itself where the
   result must be a str. */
static inline bool is_str(Object *o) { return is_builtin_instance(o, &str_type); }
static inline bool is_str_exact(Object *o) { return o->type == &str_type; }
static inline const char *str_data(Object *o) { return ((StrObject *)o)->data; }
static inline size_t str_len(Object *o) { return ((StrObject *)o)->length; }

/* New strings. The bytes must be valid UTF-8 (callers decoding outside input
   validate first). NULL on MemoryError. */
Object *str_from_utf8(const char *s, size_t len);
Object *str_from_cstr(const char *s);
Object *str_from_format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* An uninitialised string of len bytes to fill in, then str_finish(). */
Object *str_new_raw(size_t len);
void str_finish(Object *s); /* computes nchars/ascii after filling data */
/* Text the caller knows is ASCII, so nothing scans it: str_from_ascii copies
   n bytes (one byte gives the static one-character string); str_new_ascii
   is complete except for its len bytes, which the caller fills with ASCII. */
Object *str_from_ascii(const char *s, size_t len);
Object *str_new_ascii(size_t len);

/* Interned strings: str_intern_cstr returns a NEW reference to the shared
   object; str_intern takes a str (borrowed) and returns a NEW reference to the
   interned equivalent. */
Object *str_intern_cstr(const char *s);
Object *str_intern(Object *s);
/* Release the intern table at exit. */
void str_intern_clear(void);

/* s[start:stop] for 0 <= start <= stop <= len(s) (BINARY_SLICE's direct
   path): a new reference. */
Object *str_get_range(Object *s, int64_t start, int64_t stop);

bool str_equal(Object *a, Object *b);
/* Do two distinct strs whose hashes are known equal (a dict's or a set's
   probe found the hash) hold the same text? Texts of up to 16 bytes are
   compared with a few loads, each inside both texts, and no call. */
static inline bool str_equal_same_hash(Object *a, Object *b) {
    size_t n = ((StrObject *)a)->length;
    if (n != ((StrObject *)b)->length) return false;
    const char *x = ((StrObject *)a)->data, *y = ((StrObject *)b)->data;
    if (n > 16) return memcmp(x, y, n) == 0;
    if (n >= 8) { /* the first and last 8 bytes, overlapping */
        uint64_t x0, y0, x1, y1;
        memcpy(&x0, x, 8), memcpy(&y0, y, 8), memcpy(&x1, x + n - 8, 8), memcpy(&y1, y + n - 8, 8);
        return ((x0 ^ y0) | (x1 ^ y1)) == 0;
    }
    if (n >= 4) { /* the first and last 4 bytes */
        uint32_t x0, y0, x1, y1;
        memcpy(&x0, x, 4), memcpy(&y0, y, 4), memcpy(&x1, x + n - 4, 4), memcpy(&y1, y + n - 4, 4);
        return ((x0 ^ y0) | (x1 ^ y1)) == 0;
    }
    /* 0 to 3 bytes: the first, the middle and the last cover them all */
    return n == 0 || (x[0] == y[0] && x[n / 2] == y[n / 2] && x[n - 1] == y[n - 1]);
}
int64_t str_hash(Object *s);

/* A str's hash is computed on first use and kept in the object. In toy-ft
   two threads may compute it at once and both store the same value: the
   field is read and written with relaxed atomics (plain moves on x86) so
   that this benign race is a defined one. -1: not computed yet. */
#ifdef TOY_FREE_THREADED
#define HASH_CACHE_LOAD(field) __atomic_load_n(&(field), __ATOMIC_RELAXED)
#define HASH_CACHE_STORE(field, v) __atomic_store_n(&(field), (v), __ATOMIC_RELAXED)
#else
#define HASH_CACHE_LOAD(field) (field)
#define HASH_CACHE_STORE(field, v) ((field) = (v))
#endif
static inline int64_t str_hash_cached(Object *s) {
    return HASH_CACHE_LOAD(((StrObject *)s)->hash);
}
Object *str_concat(Object *a, Object *b);
/* Python's repr of a str: quotes chosen as Python does, escapes. */
Object *str_repr(Object *s);

/* A growable byte buffer for building strings (repr of containers, join,
   formatting). Not an object; lives on the C stack. */
typedef struct {
    char *data;
    size_t len, cap;
    bool failed;       /* allocation failed: str_builder_finish raises MemoryError */
    char inline_buf[128];
} StrBuilder;

void str_builder_init(StrBuilder *b);
void str_builder_add(StrBuilder *b, const char *s, size_t len);
void str_builder_add_cstr(StrBuilder *b, const char *s);
void str_builder_add_char(StrBuilder *b, char c);
void str_builder_add_str(StrBuilder *b, Object *s); /* a str object */
void str_builder_addf(StrBuilder *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Makes room for `count` * `size` more bytes at once; false (and `failed`
   set) when that much memory cannot be had. Padding calls it first, so
   that "x".center(10**18) fails at once with MemoryError, as in CPython,
   instead of growing the buffer piece by piece. */
bool str_builder_reserve(StrBuilder *b, size_t count, size_t size);
/* Returns the built str (new ref) and frees the buffer; NULL on MemoryError. */
Object *str_builder_finish(StrBuilder *b);
void str_builder_discard(StrBuilder *b);

/* format(value, spec): the format-spec mini-language for int, float and str
   ([[fill]align][sign][0][width][,][.precision][type]). Used by format(),
   str.format and f-strings. */
Object *format_object(Object *value, Object *spec /* str or NULL */);
/* The same without looking for a class's own __format__: what int.__format__,
   float.__format__ and str.__format__ do. */
Object *format_object_builtin(Object *value, Object *spec /* str or NULL */);
/* ascii(o): repr(o) with every non-ASCII character escaped (ascii(), !a, %a). */
Object *format_ascii(Object *o);
/* fmt % args for str. */
Object *str_percent_format(Object *fmt, Object *args);

/* ---- Added by str.c / format.c ---------------------------------------- */

/* The iterators over a str's characters: iter("abc") is a
   str_ascii_iterator, iter("é") a str_iterator, as in Python 3.11. Both
   belong in the list of static types for type_ready. */
extern Type str_iter_type, str_ascii_iter_type;

/* Defines `name`, a static immortal str holding an ASCII string literal
   (not interned), for texts returned often, like repr(True):
       STR_STATIC(true_text, "True");  ...  return NEWREF(&true_text);
   Its layout mirrors StrObject (str.c checks that). */
#define STR_STATIC(name, literal)                                              \
    static struct {                                                            \
        Object base;                                                           \
        int64_t hash;                                                          \
        size_t length, nchars;                                                 \
        bool ascii, interned;                                                  \
        char data[sizeof(literal)];                                            \
    } name = { STATIC_OBJECT_INIT(str_type), -1, sizeof(literal) - 1,          \
               sizeof(literal) - 1, true, false, literal }

/* int() and float() read digits of any script: a copy of the UTF-8 text
   [s, s+len) with each non-ASCII decimal digit turned into its ASCII digit
   and each non-ASCII space into ' ', stopping with a '?' at any other
   non-ASCII character (the text is then no number). The buffer comes from
   mem_alloc(len + 1), is NUL-terminated, and *out_len receives its length.
   NULL (MemoryError set) when memory runs out. */
char *str_number_text_to_ascii(const char *s, size_t len, size_t *out_len);

/* int() and float() of text, the steps they share around a parser of the
   number's ASCII text: text in other scripts goes through
   str_number_text_to_ascii first. s is the UTF-8 text [s, s+len), or the
   contents of `bytes` when that is not NULL (then only ASCII without NULs
   can be a number). parse returns the number, NULL with an exception, or
   NULL without one when the text is no number: ValueError then says
   `message` (a printf format, given base: it may hold one %d) followed by
   the repr of the argument (the str or the bytes). */
typedef Object *(*NumberParseFunc)(const char *text, size_t n, int base);
Object *str_parse_number(const char *s, size_t len, Object *bytes, NumberParseFunc parse,
                         int base, const char *message);

/* UTF-8 of one code point: decode at s (valid UTF-8; *len gets its byte
   length), encode into out (4 bytes; returns the length). */
uint32_t str_utf8_decode(const char *s, size_t *len);
size_t str_utf8_encode(uint32_t cp, char *out);

/* str.translate(table) and str.maketrans(x[, y[, z]]) (strtranslate.c);
   maketrans is also bound to the type by str_install_class_methods. */
Object *str_translate(Object *self, Object *const *args, size_t nargs, Object *kwnames);
Object *str_maketrans(Object *self, Object *const *args, size_t nargs, Object *kwnames);
int str_install_class_methods(void);

/* Python's str.isspace() for one code point (split, strip, int(), ...). */
bool str_codepoint_isspace(uint32_t c);

/* Narrows [*start, *end) (valid UTF-8) past the leading and trailing
   whitespace that int() and float() ignore: Python's whitespace except the
   separators \x1c-\x1f. */
void str_trim_number_spaces(const char **start, const char **end);

/* sep.join(iterable): TypeError "sequence item 1: expected str instance,
   int found". */
Object *str_join(Object *sep, Object *iterable);

/* *a += b for the VM's in-place add on str: steals the reference *a and
   stores the result there (the same object grown in place when the caller
   holds the only reference, so building a string in a loop is linear).
   0 ok, -1 error (then *a is unchanged and still owned by the caller). */
int str_concat_inplace(Object **a, Object *b);

/* str.format(*args, **kwargs) with self the format string (format.c). */
Object *str_format(Object *self, Object *const *args, size_t nargs, Object *kwnames);
Object *str_format_map(Object *self, Object *const *args, size_t nargs, Object *kwnames);

#endif
