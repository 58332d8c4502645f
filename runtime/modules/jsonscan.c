/* jsonscan.c - the JSON scanner: text to Toy values, as CPython's json
 * module decodes them (jsonmodule.h).
 *
 * The scanner walks the document's UTF-8 bytes once, recursing per array
 * or object. Positions are bytes inside; the errors report characters, as
 * Python does, so a position is converted only when an error is raised or
 * raw_decode() returns its end. Strings without escapes are copied in one
 * piece; the others go through a StrBuilder. Each error is a
 * JSONDecodeError(msg, doc, pos) with CPython's message and position.
 */
#include <math.h>
#include <string.h>

#include "core/refcount.h"
#include "objects/abstract.h"
#include "objects/dict.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/float.h"
#include "objects/int.h"
#include "objects/list.h"
#include "objects/str.h"
#include "objects/tuple.h"
#include "modules/jsonmodule.h"

typedef struct {
    const char *s;   /* the document's UTF-8 */
    size_t len;      /* in bytes */
    Object *doc;     /* the str (borrowed) */
    const JsonScanOptions *opt;
} Scanner;

static Object *scan_value(Scanner *sc, size_t i, size_t *end);

/* ---- Positions and errors ----------------------------------------------------------- */

/* The character index of byte offset pos. */
static int64_t char_index(const Scanner *sc, size_t pos) {
    if (((StrObject *)sc->doc)->ascii) return (int64_t)pos;
    int64_t n = 0;
    for (size_t i = 0; i < pos; i++) n += ((unsigned char)sc->s[i] & 0xC0) != 0x80;
    return n;
}

/* The byte offset of character index idx (idx <= number of characters). */
static size_t byte_offset(const Scanner *sc, int64_t idx) {
    if (((StrObject *)sc->doc)->ascii) return (size_t)idx;
    size_t i = 0;
    for (int64_t k = 0; k < idx && i < sc->len; k++) {
        i++;
        while (i < sc->len && ((unsigned char)sc->s[i] & 0xC0) == 0x80) i++;
    }
    return i;
}

/* Raise JSONDecodeError(msg, doc, pos) for character index pos; NULL. */
static Object *scan_error_at_char(Scanner *sc, const char *msg, int64_t pos) {
    Object *m = str_from_cstr(msg);
    Object *p = m ? int_from_i64(pos) : NULL;
    Object *args[3] = {m, sc->doc, p};
    Object *exc = p ? object_call(sc->opt->errcls, args, 3, NULL) : NULL;
    XDECREF(m);
    XDECREF(p);
    if (exc) {
        error_set_instance(exc);
        DECREF(exc);
    }
    return NULL;
}

/* The same for byte position pos. */
static Object *scan_error(Scanner *sc, const char *msg, size_t pos) {
    return scan_error_at_char(sc, msg, char_index(sc, pos));
}

static size_t skip_ws(const Scanner *sc, size_t i) {
    while (i < sc->len) {
        char c = sc->s[i];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
        i++;
    }
    return i;
}

/* ---- Strings ------------------------------------------------------------------------ */

static int hex4(const char *p, uint32_t *out) {
    uint32_t v = 0;
    for (int k = 0; k < 4; k++) {
        char c = p[k];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0) return -1;
        v = v << 4 | (uint32_t)d;
    }
    *out = v;
    return 0;
}

/* The \uXXXX escape whose 'u' is at i: its code point, combining a
   surrogate pair written as two escapes; *next is past what it used. */
static int scan_unicode_escape(Scanner *sc, size_t i, uint32_t *cp, size_t *next) {
    if (i + 4 >= sc->len || hex4(sc->s + i + 1, cp) < 0) {
        scan_error(sc, "Invalid \\uXXXX escape", i);
        return -1;
    }
    *next = i + 5;
    if (*cp < 0xD800 || *cp > 0xDBFF || *next + 1 >= sc->len || sc->s[*next] != '\\' ||
        sc->s[*next + 1] != 'u')
        return 0;
    uint32_t low;
    size_t u2 = *next + 1;
    if (u2 + 4 >= sc->len || hex4(sc->s + u2 + 1, &low) < 0) {
        scan_error(sc, "Invalid \\uXXXX escape", u2);
        return -1;
    }
    if (low >= 0xDC00 && low <= 0xDFFF) {
        *cp = 0x10000 + ((*cp - 0xD800) << 10) + (low - 0xDC00);
        *next = u2 + 5;
    }
    return 0;
}

/* One escape whose backslash is at i, appended to b; *next is past it. */
static int scan_escape(Scanner *sc, size_t i, size_t quote, StrBuilder *b, size_t *next) {
    if (i + 1 >= sc->len) {
        scan_error(sc, "Unterminated string starting at", quote);
        return -1;
    }
    char c = sc->s[i + 1], out;
    switch (c) {
    case '"': out = '"'; break;
    case '\\': out = '\\'; break;
    case '/': out = '/'; break;
    case 'b': out = '\b'; break;
    case 'f': out = '\f'; break;
    case 'n': out = '\n'; break;
    case 'r': out = '\r'; break;
    case 't': out = '\t'; break;
    case 'u': {
        uint32_t cp;
        if (scan_unicode_escape(sc, i + 1, &cp, next) < 0) return -1;
        char buf[4];
        str_builder_add(b, buf, str_utf8_encode(cp, buf));
        return 0;
    }
    default:
        scan_error(sc, "Invalid \\escape", i);
        return -1;
    }
    str_builder_add_char(b, out);
    *next = i + 2;
    return 0;
}

/* The string whose opening quote is at quote; *end is past its closing one. */
static Object *scan_string(Scanner *sc, size_t quote, size_t *end) {
    StrBuilder b;
    bool building = false;
    size_t i = quote + 1, run = i;
    for (;;) {
        while (i < sc->len && sc->s[i] != '"' && sc->s[i] != '\\' &&
               ((unsigned char)sc->s[i] >= 0x20 || !sc->opt->strict))
            i++;
        if (i >= sc->len) {
            if (building) str_builder_discard(&b);
            return scan_error(sc, "Unterminated string starting at", quote);
        }
        char c = sc->s[i];
        if (c == '"' && !building) {
            *end = i + 1;
            return str_from_utf8(sc->s + run, i - run);
        }
        if (!building) {
            str_builder_init(&b);
            building = true;
        }
        str_builder_add(&b, sc->s + run, i - run);
        if (c == '"') {
            *end = i + 1;
            return str_builder_finish(&b);
        }
        if (c != '\\') {
            str_builder_discard(&b);
            return scan_error(sc, "Invalid control character at", i);
        }
        if (scan_escape(sc, i, quote, &b, &i) < 0) {
            str_builder_discard(&b);
            return NULL;
        }
        run = i;
    }
}

/* ---- Numbers and constants ------------------------------------------------------------- */

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* Call hook(text) with the text s[start..i) as a str. */
static Object *call_with_text(Object *hook, const char *s, size_t n) {
    Object *t = str_from_utf8(s, n);
    if (!t) return NULL;
    Object *r = object_call1(hook, t);
    DECREF(t);
    return r;
}

/* A number at i, or NULL with *end == i (no exception) when there is none. */
static Object *scan_number(Scanner *sc, size_t i, size_t *end) {
    const char *s = sc->s;
    size_t n = sc->len, j = i;
    *end = i;
    if (j < n && s[j] == '-') j++;
    if (j < n && s[j] >= '1' && s[j] <= '9') {
        while (j < n && is_digit(s[j])) j++;
    } else if (j < n && s[j] == '0') {
        j++;
    } else {
        return NULL;
    }
    bool is_float = false;
    if (j + 1 < n && s[j] == '.' && is_digit(s[j + 1])) {
        is_float = true;
        j += 2;
        while (j < n && is_digit(s[j])) j++;
    }
    if (j < n && (s[j] == 'e' || s[j] == 'E')) {
        size_t k = j + 1;
        if (k < n && (s[k] == '+' || s[k] == '-')) k++;
        if (k < n && is_digit(s[k])) {
            while (k < n && is_digit(s[k])) k++;
            is_float = true;
            j = k;
        }
    }
    *end = j;
    if (is_float)
        return sc->opt->parse_float ? call_with_text(sc->opt->parse_float, s + i, j - i)
                                    : float_from_string(s + i, j - i);
    return sc->opt->parse_int ? call_with_text(sc->opt->parse_int, s + i, j - i)
                              : int_from_string(s + i, j - i, 10);
}

static bool has_word(const Scanner *sc, size_t i, const char *word) {
    size_t n = strlen(word);
    return i + n <= sc->len && memcmp(sc->s + i, word, n) == 0;
}

/* NaN, Infinity, -Infinity: parse_constant(name) or the float. */
static Object *scan_constant(Scanner *sc, const char *name, double value) {
    if (sc->opt->parse_constant) return call_with_text(sc->opt->parse_constant, name, strlen(name));
    return float_from_double(value);
}

/* ---- Arrays and objects ----------------------------------------------------------------- */

static Object *scan_array(Scanner *sc, size_t open, size_t *end) {
    if (recursion_enter(" while decoding a JSON array from a unicode string") < 0) return NULL;
    Object *list = list_new(0);
    size_t i = skip_ws(sc, open + 1);
    if (list && i < sc->len && sc->s[i] == ']') {
        *end = i + 1;
        recursion_leave();
        return list;
    }
    while (list) {
        Object *v = scan_value(sc, i, &i);
        if (!v || list_append_steal(list, v) < 0) break;
        i = skip_ws(sc, i);
        if (i < sc->len && sc->s[i] == ']') {
            *end = i + 1;
            recursion_leave();
            return list;
        }
        if (i >= sc->len || sc->s[i] != ',') {
            scan_error(sc, "Expecting ',' delimiter", i);
            break;
        }
        i = skip_ws(sc, i + 1);
    }
    recursion_leave();
    XDECREF(list);
    return NULL;
}

/* One "key": value pair at i (a quote expected there), added to the dict
   or appended to the pairs list; *next is past the value. */
static int scan_member(Scanner *sc, size_t i, Object *into, size_t *next) {
    if (i >= sc->len || sc->s[i] != '"') {
        scan_error(sc, "Expecting property name enclosed in double quotes", i);
        return -1;
    }
    Object *key = scan_string(sc, i, &i);
    if (!key) return -1;
    i = skip_ws(sc, i);
    if (i >= sc->len || sc->s[i] != ':') {
        DECREF(key);
        scan_error(sc, "Expecting ':' delimiter", i);
        return -1;
    }
    Object *value = scan_value(sc, skip_ws(sc, i + 1), next);
    int r = -1;
    if (value && is_dict(into)) {
        r = dict_set_item(into, key, value);
    } else if (value) {
        Object *pair = tuple_pack(2, key, value);
        r = pair ? list_append_steal(into, pair) : -1;
    }
    DECREF(key);
    XDECREF(value);
    return r;
}

/* The dict (or pairs list) is complete: apply the hooks. Steals obj. */
static Object *finish_object(Scanner *sc, Object *obj) {
    Object *hook = sc->opt->object_pairs_hook ? sc->opt->object_pairs_hook : sc->opt->object_hook;
    if (!hook) return obj;
    Object *r = object_call1(hook, obj);
    DECREF(obj);
    return r;
}

static Object *scan_object(Scanner *sc, size_t open, size_t *end) {
    if (recursion_enter(" while decoding a JSON object from a unicode string") < 0) return NULL;
    Object *obj = sc->opt->object_pairs_hook ? list_new(0) : dict_new();
    size_t i = skip_ws(sc, open + 1);
    if (obj && i < sc->len && sc->s[i] == '}') {
        *end = i + 1;
        recursion_leave();
        return finish_object(sc, obj);
    }
    while (obj) {
        if (scan_member(sc, i, obj, &i) < 0) break;
        i = skip_ws(sc, i);
        if (i < sc->len && sc->s[i] == '}') {
            *end = i + 1;
            recursion_leave();
            return finish_object(sc, obj);
        }
        if (i >= sc->len || sc->s[i] != ',') {
            scan_error(sc, "Expecting ',' delimiter", i);
            break;
        }
        i = skip_ws(sc, i + 1);
    }
    recursion_leave();
    XDECREF(obj);
    return NULL;
}

/* ---- Values ------------------------------------------------------------------------------ */

static Object *scan_value(Scanner *sc, size_t i, size_t *end) {
    if (i >= sc->len) return scan_error(sc, "Expecting value", i);
    switch (sc->s[i]) {
    case '"': return scan_string(sc, i, end);
    case '[': return scan_array(sc, i, end);
    case '{': return scan_object(sc, i, end);
    case 'n': if (has_word(sc, i, "null")) { *end = i + 4; return NEWREF(None); } break;
    case 't': if (has_word(sc, i, "true")) { *end = i + 4; return NEWREF(True_); } break;
    case 'f': if (has_word(sc, i, "false")) { *end = i + 5; return NEWREF(False_); } break;
    case 'N': if (has_word(sc, i, "NaN")) { *end = i + 3; return scan_constant(sc, "NaN", NAN); } break;
    case 'I':
        if (has_word(sc, i, "Infinity")) {
            *end = i + 8;
            return scan_constant(sc, "Infinity", INFINITY);
        }
        break;
    case '-':
        if (has_word(sc, i, "-Infinity")) {
            *end = i + 9;
            return scan_constant(sc, "-Infinity", -INFINITY);
        }
        break;
    default: break;
    }
    Object *number = scan_number(sc, i, end);
    if (!number && *end == i && !error_occurred()) return scan_error(sc, "Expecting value", i);
    return number;
}

Object *json_scan(Object *doc, int64_t idx, bool whole, const JsonScanOptions *opt) {
    Scanner sc = {str_data(doc), str_len(doc), doc, opt};
    if (idx < 0) return error_set(&exc_ValueError, "idx cannot be negative");
    if ((uint64_t)idx >= ((StrObject *)doc)->nchars) /* nothing there, not even whitespace */
        return scan_error_at_char(&sc, "Expecting value", idx);
    size_t start = byte_offset(&sc, idx), end = start;
    if (whole) start = skip_ws(&sc, start);
    Object *value = scan_value(&sc, start, &end);
    if (!value) return NULL;
    if (whole) {
        end = skip_ws(&sc, end);
        if (end != sc.len) {
            DECREF(value);
            return scan_error(&sc, "Extra data", end);
        }
        return value;
    }
    Object *pos = int_from_i64(char_index(&sc, end));
    Object *r = pos ? tuple_pack(2, value, pos) : NULL;
    DECREF(value);
    XDECREF(pos);
    return r;
}
