/* jsonencode.c - the JSON serializer: Toy values to text, as CPython's
 * json.dumps writes them (jsonmodule.h).
 *
 * One StrBuilder receives the whole document. None, bool, str, int, float,
 * list, tuple and dict are written directly; anything else goes through
 * default(), whose result is written in its place. With check_circular, the
 * containers being written (and the objects handed to default()) are kept
 * on a stack, and meeting one again raises "Circular reference detected";
 * the stack is as deep as the nesting, which the recursion limit bounds.
 * A dict's items are copied (and sorted, for sort_keys) before writing,
 * since default() may run code that changes it.
 */
#include <math.h>
#include <string.h>

#include "core/alloc.h"
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
    StrBuilder out;
    const JsonEncodeOptions *opt;
    Object **markers; /* containers being written (borrowed) */
    size_t nmarkers, cap;
    size_t level;     /* nesting, for the indentation */
} Encoder;

static int encode_value(Encoder *e, Object *o);

/* ---- Strings ---------------------------------------------------------------------------- */

static void add_escaped_unit(StrBuilder *b, uint32_t u) {
    static const char hex[] = "0123456789abcdef";
    char buf[6] = {'\\', 'u', hex[u >> 12 & 15], hex[u >> 8 & 15], hex[u >> 4 & 15], hex[u & 15]};
    str_builder_add(b, buf, 6);
}

/* The escape of an ASCII character that needs one, or NULL. */
static const char *short_escape(unsigned char c) {
    switch (c) {
    case '"': return "\\\"";
    case '\\': return "\\\\";
    case '\n': return "\\n";
    case '\r': return "\\r";
    case '\t': return "\\t";
    case '\b': return "\\b";
    case '\f': return "\\f";
    default: return NULL;
    }
}

static void add_string(StrBuilder *b, Object *s, bool ascii) {
    const char *p = str_data(s);
    size_t n = str_len(s), i = 0, run = 0;
    str_builder_add_char(b, '"');
    while (i < n) {
        unsigned char c = (unsigned char)p[i];
        bool plain = c >= 0x20 && c != '"' && c != '\\' && (!ascii || c < 0x7F);
        if (plain) {
            i++;
            continue;
        }
        str_builder_add(b, p + run, i - run);
        const char *esc = short_escape(c);
        if (esc) {
            str_builder_add_cstr(b, esc);
            i++;
        } else if (c < 0x80) {
            add_escaped_unit(b, c);
            i++;
        } else {
            size_t w;
            uint32_t cp = str_utf8_decode(p + i, &w);
            if (cp >= 0x10000) {
                add_escaped_unit(b, 0xD800 + ((cp - 0x10000) >> 10));
                add_escaped_unit(b, 0xDC00 + ((cp - 0x10000) & 0x3FF));
            } else {
                add_escaped_unit(b, cp);
            }
            i += w;
        }
        run = i;
    }
    str_builder_add(b, p + run, n - run);
    str_builder_add_char(b, '"');
}

Object *json_encode_string(Object *s, bool ascii) {
    StrBuilder b;
    str_builder_init(&b);
    add_string(&b, s, ascii);
    return str_builder_finish(&b);
}

/* ---- Scalars ----------------------------------------------------------------------------- */

static int add_float(StrBuilder *b, double v, bool allow_nan) {
    if (isfinite(v)) {
        char buf[40];
        str_builder_add(b, buf, (size_t)float_repr_buf(v, buf, sizeof buf));
        return 0;
    }
    if (!allow_nan) {
        error_set(&exc_ValueError, "Out of range float values are not JSON compliant");
        return -1;
    }
    str_builder_add_cstr(b, isnan(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity");
    return 0;
}

/* repr(o) appended (an int). */
static int add_repr(Encoder *e, Object *o) {
    Object *r = object_repr(o);
    if (!r) return -1;
    str_builder_add_str(&e->out, r);
    DECREF(r);
    return 0;
}

/* ---- Circular references and layout --------------------------------------------------------- */

static int mark(Encoder *e, Object *o) {
    if (!e->opt->check_circular) return 0;
    for (size_t i = 0; i < e->nmarkers; i++)
        if (e->markers[i] == o) {
            error_set(&exc_ValueError, "Circular reference detected");
            return -1;
        }
    if (!mem_grow(&e->markers, e->nmarkers, &e->cap, sizeof *e->markers, 16)) {
        error_no_memory();
        return -1;
    }
    e->markers[e->nmarkers++] = o;
    return 0;
}

static void unmark(Encoder *e) {
    if (e->opt->check_circular) e->nmarkers--;
}

/* Entering a container: guard the recursion and mark it. */
static int enter(Encoder *e, Object *o) {
    const char *where = e->opt->indent ? " while calling a Python object" : " while encoding a JSON object";
    if (recursion_enter(where) < 0) return -1;
    if (mark(e, o) < 0) {
        recursion_leave();
        return -1;
    }
    e->level++;
    return 0;
}

static void leave(Encoder *e) {
    e->level--;
    unmark(e);
    recursion_leave();
}

/* With indent: a newline and the indentation of the current level. */
static void add_newline_indent(Encoder *e) {
    if (!e->opt->indent) return;
    str_builder_add_char(&e->out, '\n');
    for (size_t i = 0; i < e->level; i++) str_builder_add_str(&e->out, e->opt->indent);
}

/* ---- Containers ---------------------------------------------------------------------------- */

static int encode_sequence(Encoder *e, Object *seq) {
    size_t n = is_list(seq) ? list_size(seq) : tuple_size(seq);
    if (n == 0) {
        str_builder_add_cstr(&e->out, "[]");
        return 0;
    }
    if (enter(e, seq) < 0) return -1;
    str_builder_add_char(&e->out, '[');
    int r = 0;
    /* a list may shrink under default(): read its size at every step */
    for (size_t i = 0; r == 0 && i < (is_list(seq) ? list_size(seq) : n); i++) {
        if (i > 0) str_builder_add_str(&e->out, e->opt->item_sep);
        add_newline_indent(e);
        Object *item = NEWREF(is_list(seq) ? list_item(seq, i) : tuple_item(seq, i));
        r = encode_value(e, item);
        DECREF(item);
    }
    leave(e);
    add_newline_indent(e);
    str_builder_add_char(&e->out, ']');
    return r;
}

/* A key as the str to write: 1 written to *out, 0 to skip (skipkeys), -1. */
static int key_text(Encoder *e, Object *key, Object **out) {
    if (is_str(key)) {
        *out = NEWREF(key);
        return 1;
    }
    if (is_float(key)) {
        StrBuilder b;
        str_builder_init(&b);
        if (add_float(&b, float_value(key), e->opt->allow_nan) < 0) {
            str_builder_discard(&b);
            return -1;
        }
        Object *s = str_builder_finish(&b);
        if (!s) return -1;
        *out = s;
        return 1;
    }
    if (key == True_ || key == False_ || key == None) {
        *out = str_from_cstr(key == True_ ? "true" : key == False_ ? "false" : "null");
        return *out ? 1 : -1;
    }
    if (is_int(key)) {
        *out = object_repr(key);
        return *out ? 1 : -1;
    }
    if (e->opt->skipkeys) return 0;
    error_set(&exc_TypeError, "keys must be str, int, float, bool or None, not %s", TYPE_NAME(key));
    return -1;
}

/* The dict's items as a list of (key, value) tuples, sorted for sort_keys. */
static Object *dict_items_list(Encoder *e, Object *d) {
    Object *items = list_new(0);
    size_t pos = 0;
    Object *k, *v;
    while (items && dict_next_ref(d, &pos, &k, &v)) {
        Object *pair = tuple_pack(2, k, v);
        DECREF(k);
        DECREF(v);
        if (!pair || list_append_steal(items, pair) < 0) CLEAR(&items);
    }
    if (items && e->opt->sort_keys && list_sort(items, NULL, false) < 0) CLEAR(&items);
    return items;
}

static int encode_member(Encoder *e, Object *key, Object *value, bool *first) {
    Object *text;
    int k = key_text(e, key, &text);
    if (k <= 0) return k;
    if (!*first) str_builder_add_str(&e->out, e->opt->item_sep);
    *first = false;
    add_newline_indent(e);
    add_string(&e->out, text, e->opt->ensure_ascii);
    DECREF(text);
    str_builder_add_str(&e->out, e->opt->key_sep);
    return encode_value(e, value);
}

static int encode_dict(Encoder *e, Object *d) {
    if (dict_size_locked(d) == 0) {
        str_builder_add_cstr(&e->out, "{}");
        return 0;
    }
    if (enter(e, d) < 0) return -1;
    Object *items = dict_items_list(e, d);
    int r = items ? 0 : -1;
    bool first = true;
    str_builder_add_char(&e->out, '{');
    for (size_t i = 0; r == 0 && i < list_size(items); i++) {
        Object *pair = list_item(items, i);
        r = encode_member(e, tuple_item(pair, 0), tuple_item(pair, 1), &first);
    }
    XDECREF(items);
    leave(e);
    add_newline_indent(e);
    str_builder_add_char(&e->out, '}');
    return r;
}

/* A value of no JSON type: default(o), written in its place. */
static int encode_other(Encoder *e, Object *o) {
    if (mark(e, o) < 0) return -1;
    Object *replacement = object_call1(e->opt->default_fn, o);
    int r = -1;
    if (replacement && recursion_enter(" while encoding a JSON object") == 0) {
        r = encode_value(e, replacement);
        recursion_leave();
    }
    XDECREF(replacement);
    unmark(e);
    return r;
}

static int encode_value(Encoder *e, Object *o) {
    if (o == None || o == True_ || o == False_) {
        str_builder_add_cstr(&e->out, o == None ? "null" : o == True_ ? "true" : "false");
        return 0;
    }
    if (is_str(o)) {
        add_string(&e->out, o, e->opt->ensure_ascii);
        return 0;
    }
    if (is_int(o)) return add_repr(e, o);
    if (is_float(o)) return add_float(&e->out, float_value(o), e->opt->allow_nan);
    if (is_list(o) || is_tuple(o)) return encode_sequence(e, o);
    if (is_dict(o)) return encode_dict(e, o);
    return encode_other(e, o);
}

Object *json_encode(Object *obj, const JsonEncodeOptions *opt) {
    Encoder e = {.opt = opt};
    str_builder_init(&e.out);
    int r = encode_value(&e, obj);
    if (e.markers) mem_free(e.markers, e.cap * sizeof(Object *));
    if (r < 0) {
        str_builder_discard(&e.out);
        return NULL;
    }
    return str_builder_finish(&e.out);
}
