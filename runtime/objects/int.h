/* int.h - 64-bit signed integers (and bool, their subclass).
 *
 * Toy ints are 64-bit: an operation whose exact result does not fit raises
 * OverflowError, never wraps (docs/language.md explains the difference from
 * Python's unbounded ints). Ints from SMALL_INT_MIN to SMALL_INT_MAX are
 * immortal preallocated objects, so loop counters and indexes never allocate;
 * other results come from the allocator's per-thread free lists.
 * True and False are IntObjects of type bool_type.
 */
#ifndef TOY_INT_H
#define TOY_INT_H

#include "core/object.h"
#include "core/refcount.h"

typedef struct {
    Object base;
    int64_t value;
} IntObject;

#define SMALL_INT_MIN (-5)
#define SMALL_INT_MAX 1024

extern Type int_type, bool_type;
extern IntObject small_ints[SMALL_INT_MAX - SMALL_INT_MIN + 1];
extern IntObject true_object, false_object;

#define True_ ((Object *)&true_object)
#define False_ ((Object *)&false_object)

/* int or bool (bool is a subclass of int). */
static inline bool is_int(Object *o) { return o->type == &int_type || o->type == &bool_type; }
static inline int64_t int_value(Object *o) { return ((IntObject *)o)->value; }

/* A new reference (small ints come from the cache). NULL on MemoryError. */
Object *int_from_i64(int64_t v);
static inline Object *int_small(int64_t v) { /* v must be in small range */
    return NEWREF(&small_ints[v - SMALL_INT_MIN]);
}
/* New reference to True or False. */
Object *bool_from(bool b);

/* Parse a Python int literal string (str(), int(s, base)): ValueError on bad
   input, with CPython's message "invalid literal for int() with base 10: 'x'". */
Object *int_from_string(const char *s, size_t len, int base);

/* Convert an int-like object (int, bool, or a type with an index slot) to
   int64. -1 with an exception set (TypeError) on failure: check error_occurred
   or use the out-parameter form. Returns 0 ok / -1 error. */
int int_as_i64(Object *o, int64_t *out);

/* Hash of an int as Python computes it (modulo 2**61-1; -1 becomes -2). */
int64_t int_hash_i64(int64_t v);

/* The int fast paths the VM inlines call these on overflow or mixed types. */
Object *int_add(Object *a, Object *b);
Object *int_sub(Object *a, Object *b);
Object *int_mul(Object *a, Object *b);

/* ---- Added by int.c for the built-ins and float.c ---------------------- */

/* int(v) for a double: truncates toward zero. OverflowError "cannot convert
   float infinity to integer" / ValueError "cannot convert float NaN to
   integer"; OverflowError "integer overflow" outside int64. */
Object *int_from_double(double v);
/* divmod(x, y) for ints: (x // y, x % y) with Python's signs. */
Object *int_divmod(int64_t x, int64_t y);
/* pow(base, exp, mod) for ints (negative exp: modular inverse). */
Object *int_pow_mod(int64_t base, int64_t exp, int64_t mod);
/* round(v, ndigits) for an int: round half to even at 10**-ndigits. */
Object *int_round(int64_t v, int64_t ndigits);

#endif
