/* float.h - IEEE double floats, printed as Python prints them (shortest
 * repr that round-trips: 0.1, 1e+16, 1e-05, inf, nan, -0.0). */
#ifndef TOY_FLOAT_H
#define TOY_FLOAT_H

#include "core/object.h"

typedef struct {
    Object base;
    double value;
} FloatObject;

extern Type float_type;

/* float or a user subclass of it; is_float_exact: float itself. */
static inline bool is_float(Object *o) { return is_builtin_instance(o, &float_type); }
static inline bool is_float_exact(Object *o) { return o->type == &float_type; }
static inline double float_value(Object *o) { return ((FloatObject *)o)->value; }

Object *float_from_double(double v);
/* repr(v) into buf (at least 32 bytes); returns the length. */
int float_repr_buf(double v, char *buf, size_t size);
/* Convert a real number to double as CPython's PyFloat_AsDouble: a float,
   an int (OverflowError when too large), __float__, then __index__.
   0 ok, -1 with TypeError "must be real number, not str". */
int float_as_double(Object *o, double *out);
/* Python's hash of a float (equal to the int hash for integral values). */
int64_t float_hash_double(double v);

/* ---- Added by float.c for int.c, format.c and the built-ins ----------- */

/* a OP b where each operand is an int or a float (at least one float): the
   float arithmetic with Python's rules and errors. NotImplemented (new ref)
   for other operand types or for shifts and bitwise operators. */
Object *float_binop(Object *a, Object *b, BinaryOp op);
/* Exact comparison of a double with an int64 (no rounding of either):
   -1, 0 or 1 as d <, ==, > i; 2 when d is NaN. */
int float_compare_int(double d, int64_t i);
/* divmod(x, y) when x or y is a float: a tuple of two floats. */
Object *float_divmod(double x, double y);
/* round(v) (has_ndigits false: an int, half to even) or round(v, ndigits)
   (a float, correctly rounded half to even in decimal). */
Object *float_round(double v, int64_t ndigits, bool has_ndigits);
/* float(s) for the text of a str: Python's syntax (whitespace, underscores,
   inf/nan); ValueError "could not convert string to float: 'x'". */
Object *float_from_string(const char *s, size_t len);

/* The shortest decimal digits that read back as v (finite, > 0): writes them
   NUL-terminated into digits (at least 24 bytes), no trailing zeros, and the
   decimal exponent of the first digit (v ~ d.ddd * 10**exp10). Returns the
   number of digits. The basis of repr and of format()'s default style. */
int float_shortest_digits(double v, char *digits, int *exp10);

#endif
