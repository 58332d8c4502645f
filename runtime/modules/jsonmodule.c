/* jsonmodule.c - the _json module: the entry points of the scanner
 * (jsonscan.c) and the serializer (jsonencode.c) that runtime/lib/json.toy
 * calls. Their arguments are positional and already checked by json.toy,
 * except for the types the C code relies on. The module holds no state.
 */
#include "core/refcount.h"
#include "objects/abstract.h"
#include "objects/error.h"
#include "objects/exceptions.h"
#include "objects/int.h"
#include "objects/module.h"
#include "objects/str.h"
#include "modules/jsonmodule.h"

static Object *hook_arg(Object *o) { return o == None ? NULL : o; }

static int truth_arg(Object *o, bool *out) {
    int t = object_truth(o);
    *out = t > 0;
    return t < 0 ? -1 : 0;
}

/* scan(doc, idx, whole, strict, object_hook, object_pairs_hook, parse_float,
        parse_int, parse_constant, errcls) */
static Object *json_scan_function(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    if (args_check("scan", nargs, kwnames, 10, 10) < 0) return NULL;
    if (!is_str(args[0])) return error_set(&exc_TypeError, "first argument must be a string, not %s",
                                           TYPE_NAME(args[0]));
    int64_t idx;
    bool whole;
    JsonScanOptions opt = {
        .object_hook = hook_arg(args[4]), .object_pairs_hook = hook_arg(args[5]),
        .parse_float = hook_arg(args[6]), .parse_int = hook_arg(args[7]),
        .parse_constant = hook_arg(args[8]), .errcls = args[9],
    };
    if (int_as_i64(args[1], &idx) < 0 || truth_arg(args[2], &whole) < 0 ||
        truth_arg(args[3], &opt.strict) < 0)
        return NULL;
    return json_scan(args[0], idx, whole, &opt);
}

static int separator_arg(Object *o, int position) {
    if (is_str(o)) return 0;
    error_set(&exc_TypeError, "make_encoder() argument %d must be str, not %s", position, TYPE_NAME(o));
    return -1;
}

/* encode(obj, default, indent, key_separator, item_separator, sort_keys,
          skipkeys, ensure_ascii, allow_nan, check_circular) */
static Object *json_encode_function(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    if (args_check("encode", nargs, kwnames, 10, 10) < 0) return NULL;
    JsonEncodeOptions opt = {
        .default_fn = args[1], .indent = hook_arg(args[2]), .key_sep = args[3], .item_sep = args[4],
    };
    if (opt.indent && !is_str(opt.indent))
        return error_set(&exc_TypeError, "indent must be str or None, not %s", TYPE_NAME(opt.indent));
    if (separator_arg(args[3], 5) < 0 || separator_arg(args[4], 6) < 0 ||
        truth_arg(args[5], &opt.sort_keys) < 0 || truth_arg(args[6], &opt.skipkeys) < 0 ||
        truth_arg(args[7], &opt.ensure_ascii) < 0 || truth_arg(args[8], &opt.allow_nan) < 0 ||
        truth_arg(args[9], &opt.check_circular) < 0)
        return NULL;
    return json_encode(args[0], &opt);
}

static Object *string_function(const char *fname, Object *const *args, size_t nargs, Object *kwnames,
                               bool ascii) {
    if (args_check(fname, nargs, kwnames, 1, 1) < 0) return NULL;
    if (!is_str(args[0]))
        return error_set(&exc_TypeError, "first argument must be a string, not %s", TYPE_NAME(args[0]));
    return json_encode_string(args[0], ascii);
}

static Object *json_encode_basestring_ascii(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    return string_function("encode_basestring_ascii", args, nargs, kwnames, true);
}

static Object *json_encode_basestring(Object *self, Object *const *args, size_t nargs, Object *kwnames) {
    (void)self;
    return string_function("encode_basestring", args, nargs, kwnames, false);
}

static const MethodDef json_functions[] = {
    {"scan", json_scan_function, "Decode one JSON value of a str."},
    {"encode", json_encode_function, "The JSON text of a value."},
    {"encode_basestring_ascii", json_encode_basestring_ascii, "A str as an ASCII JSON string literal."},
    {"encode_basestring", json_encode_basestring, "A str as a JSON string literal."},
    {NULL, NULL, NULL},
};

Object *json_module_init(void) {
    Object *m = module_new("_json");
    if (!m) return NULL;
    if (module_add_functions(m, json_functions) < 0) {
        DECREF(m);
        return NULL;
    }
    return m;
}
