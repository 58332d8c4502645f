/* jsonmodule.h - the _json module, which runtime/lib/json.toy builds the
 * json module on: the scanner (jsonscan.c), the serializer (jsonencode.c)
 * and the module table (jsonmodule.c).
 *
 * Both work in one pass over their input, appending to one growable buffer,
 * so they take time linear in the size of the document. Both recurse once per
 * level of nesting, through recursion_enter(), so a deeply nested document
 * raises RecursionError with CPython's words instead of exhausting the C
 * stack.
 */
#ifndef TOY_JSONMODULE_H
#define TOY_JSONMODULE_H

#include <stdbool.h>
#include "core/object.h"

/* A new _json module. */
Object *json_module_init(void);

/* What the scanner needs besides the document. The hooks are borrowed, NULL
   for the default behaviour; errcls is json.JSONDecodeError, called as
   errcls(msg, doc, pos) to make each error. */
typedef struct {
    bool strict;
    Object *object_hook, *object_pairs_hook, *parse_float, *parse_int, *parse_constant;
    Object *errcls;
} JsonScanOptions;

/* Decode one JSON value of str doc starting at character idx. whole: skip
   whitespace around it and raise "Extra data" for anything after it, and
   return the value; otherwise return (value, end) with end the character
   index after the value (JSONDecoder.raw_decode). */
Object *json_scan(Object *doc, int64_t idx, bool whole, const JsonScanOptions *opt);

/* What the serializer needs besides the value. default_fn is called for a
   value of no JSON type; indent is a str (pretty-printing) or NULL; the
   separators are str. All borrowed. */
typedef struct {
    Object *default_fn, *indent, *key_sep, *item_sep;
    bool sort_keys, skipkeys, ensure_ascii, allow_nan, check_circular;
} JsonEncodeOptions;

/* The JSON text of obj, a new str. */
Object *json_encode(Object *obj, const JsonEncodeOptions *opt);

/* A str s as a JSON string literal, quotes included; ascii: escape every
   non-ASCII character as \uXXXX. */
Object *json_encode_string(Object *s, bool ascii);

#endif
