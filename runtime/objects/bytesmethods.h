/* bytesmethods.h - the methods that bytes and bytearray share, written once.
 *
 * Each method is one CFunction over a (data, length) view of self, which
 * may be a bytes or a bytearray; results "of the same kind" (the pieces of
 * split, the result of upper, strip, replace, ...) are created with self's
 * type, so that bytes methods return bytes and bytearray methods bytearray,
 * as in CPython. The two types list these functions in their method tables
 * (BYTESMETHODS_TABLE below) next to their own: that is the whole wrapper.
 *
 * Arguments that are bytes-like (the needle of find, split's separator,
 * strip's characters, join's items, ...) may be any object with the buffer
 * protocol (objects/buffer.h): bytes, bytearray, memoryview, array.array.
 *
 * Ordering rule, for bytearray's sake: a method first converts its arguments
 * (which may run a class's __index__, and that code could resize the
 * bytearray), then takes the view of self, then works in C without calling
 * back into Toy code; so the view is never stale. Results are new objects;
 * self is never changed.
 *
 * Every search is linear: forward searches use memmem (glibc's is two-way),
 * backward ones a reversed Knuth-Morris-Pratt scan.
 */
#ifndef TOY_BYTESMETHODS_H
#define TOY_BYTESMETHODS_H

#include <stdbool.h>
#include <stddef.h>
#include "core/object.h"

/* self's bytes: the data pointer is valid until Toy code runs. */
typedef struct {
    const char *data;
    size_t len;
} ByteView;

ByteView bytesmethods_view(Object *self);
/* A new object of self's type (bytes or bytearray) holding a copy of len
   bytes; and one of len bytes to fill in at *out. */
Object *bytesmethods_new(Object *self, const char *data, size_t len);
Object *bytesmethods_new_raw(Object *self, size_t len, char **out);
/* hex(sep=None, bytes_per_sep=1) of len bytes at data: the body of
   bytes.hex, bytearray.hex and memoryview.hex. */
Object *bytesmethods_hex_of(const char *data, size_t len, Object *const *args, size_t nargs,
                            Object *kwnames);

#define BYTESMETHOD(name) \
    Object *bytesmethods_##name(Object *self, Object *const *args, size_t nargs, Object *kwnames);
#define BYTESMETHODS_LIST(X)                                                                 \
    X(capitalize) X(center) X(count) X(decode) X(endswith) X(expandtabs) X(find) X(hex)      \
    X(index) X(isalnum) X(isalpha) X(isascii) X(isdigit) X(islower) X(isspace) X(istitle)    \
    X(isupper) X(join) X(ljust) X(lower) X(lstrip) X(partition) X(removeprefix)              \
    X(removesuffix) X(replace) X(rfind) X(rindex) X(rjust) X(rpartition) X(rsplit) X(rstrip) \
    X(split) X(splitlines) X(startswith) X(strip) X(swapcase) X(title) X(translate) X(upper) \
    X(zfill)
BYTESMETHODS_LIST(BYTESMETHOD)
#undef BYTESMETHOD

/* The method table entries, for bytes_methods[] and bytearray_methods[]. */
#define BYTESMETHODS_ENTRY(name) {#name, bytesmethods_##name, NULL},
#define BYTESMETHODS_TABLE BYTESMETHODS_LIST(BYTESMETHODS_ENTRY)

/* fromhex and maketrans, bound to the type by bytes_install_class_methods /
   bytearray_install_class_methods: self is the type (or an instance). */
Object *bytesmethods_fromhex(Object *self, Object *const *args, size_t nargs, Object *kwnames);
Object *bytesmethods_maketrans(Object *self, Object *const *args, size_t nargs, Object *kwnames);

#endif
