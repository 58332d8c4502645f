/* strtranslate.c - str.translate and str.maketrans (see str.h).
 *
 * A translation table maps code points (ints) to a str, a code point, or
 * None (delete). translate looks each character up with the table's
 * __getitem__, so any mapping or sequence works; a LookupError leaves the
 * character as it is. maketrans builds such a table as a dict.
 */
#include <stdint.h>

#include "core/refcount.h"
#include "objects/abstract.h"
#include "objects/dict.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/function.h"
#include "objects/int.h"
#include "objects/str.h"
#include "objects/tuple.h"

/* Append what the table says for code point cp; 0 / -1. */
static int translate_one(StrBuilder *b, Object *table, uint32_t cp, const char *raw, size_t n) {
    Object *key = int_from_i64(cp);
    if (!key) return -1;
    Object *v = object_getitem(table, key);
    DECREF(key);
    if (!v) {
        if (!error_matches(&exc_LookupError)) return -1;
        error_clear();
        str_builder_add(b, raw, n);
        return 0;
    }
    int rc = 0;
    if (v == None) {
        /* deleted */
    } else if (is_str(v)) {
        str_builder_add_str(b, v);
    } else if (is_int(v)) {
        int64_t c;
        if (int_as_i64(v, &c) < 0 || c < 0 || c > 0x10FFFF) {
            if (!error_occurred() || error_matches(&exc_OverflowError)) {
                error_clear();
                error_set(&exc_ValueError, "character mapping must be in range(0x110000)");
            }
            rc = -1;
        } else {
            char out[4];
            str_builder_add(b, out, str_utf8_encode((uint32_t)c, out));
        }
    } else {
        error_set(&exc_TypeError, "character mapping must return integer, None or str");
        rc = -1;
    }
    DECREF(v);
    return rc;
}

Object *str_translate(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    if (args_check("str.translate", nargs, kwnames, 1, 1) < 0) return NULL;
    const char *s = str_data(self);
    size_t len = str_len(self);
    StrBuilder b;
    str_builder_init(&b);
    for (size_t i = 0; i < len;) {
        size_t n;
        uint32_t cp = str_utf8_decode(s + i, &n);
        if (translate_one(&b, args[0], cp, s + i, n) < 0) {
            str_builder_discard(&b);
            return NULL;
        }
        i += n;
    }
    return str_builder_finish(&b);
}

/* The code point of a one-character str. */
static uint32_t only_char(Object *s) {
    size_t n;
    return str_utf8_decode(str_data(s), &n);
}

/* maketrans(dict): its keys as code points. */
static Object *table_from_dict(Object *d) {
    Object *table = dict_new();
    if (!table) return NULL;
    Object *items = object_call_method(d, "items", NULL, 0);
    Object *it = items ? object_iter(items) : NULL;
    XDECREF(items);
    Object *pair;
    int rc = it ? 0 : -1;
    while (rc == 0 && it && (pair = object_next(it))) {
        Object *k = NULL, *v = NULL;
        if (is_tuple(pair) && tuple_size(pair) == 2) {
            k = NEWREF(tuple_item(pair, 0));
            v = NEWREF(tuple_item(pair, 1));
        }
        if (!v) {
            rc = -1;
        } else if (is_str(k)) {
            if (((StrObject *)k)->nchars != 1) {
                error_set(&exc_ValueError, "string keys in translate table must be of length 1");
                rc = -1;
            } else {
                Object *code = int_from_i64(only_char(k));
                rc = code ? dict_set_item(table, code, v) : -1;
                XDECREF(code);
            }
        } else if (is_int(k)) {
            rc = dict_set_item(table, k, v);
        } else {
            error_set(&exc_TypeError, "keys in translate table must be strings or integers");
            rc = -1;
        }
        XDECREF(k);
        XDECREF(v);
        DECREF(pair);
    }
    XDECREF(it);
    if (rc == 0 && !error_occurred()) return table;
    DECREF(table);
    return NULL;
}

/* Map each character of s (in order) to the matching one of to, or to None
   when to is NULL. */
static int map_chars(Object *table, Object *s, Object *to) {
    const char *p = str_data(s), *q = to ? str_data(to) : NULL;
    for (size_t i = 0, j = 0; i < str_len(s);) {
        size_t n, m = 0;
        Object *k = int_from_i64(str_utf8_decode(p + i, &n));
        Object *v = to ? int_from_i64(str_utf8_decode(q + j, &m)) : NEWREF(None);
        int rc = k && v ? dict_set_item(table, k, v) : -1;
        XDECREF(k);
        XDECREF(v);
        if (rc < 0) return -1;
        i += n;
        j += m;
    }
    return 0;
}

Object *str_maketrans(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    if (args_check("maketrans", nargs, kwnames, 1, 3) < 0) return NULL;
    if (nargs == 1) {
        if (!is_dict(args[0]))
            return error_set(&exc_TypeError,
                             "if you give only one argument to maketrans it must be a dict");
        return table_from_dict(args[0]);
    }
    for (size_t i = 0; i < nargs; i++)
        if (!is_str(args[i]))
            return error_set(&exc_TypeError, "maketrans() argument %zu must be str, not %s", i + 1,
                             arg_type_name(args[i]));
    if (((StrObject *)args[0])->nchars != ((StrObject *)args[1])->nchars)
        return error_set(&exc_ValueError, "the first two maketrans arguments must have equal length");
    Object *table = dict_new();
    if (table && (map_chars(table, args[0], args[1]) < 0 ||
                  (nargs == 3 && map_chars(table, args[2], NULL) < 0)))
        CLEAR(&table);
    return table;
}

/* str.maketrans on the type (a static method in CPython: it ignores self). */
int str_install_class_methods(void) {
    static const MethodDef def = {"maketrans", str_maketrans,
                                  "Return a translation table usable for str.translate()."};
    Object *f = builtin_new(&def, (Object *)&str_type);
    if (!f) return -1;
    int rc = dict_set_item_cstr(str_type.dict, def.name, f);
    DECREF(f);
    return rc;
}
