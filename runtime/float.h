/* float.h - IEEE double floats, printed as Python prints them (shortest
 * repr that round-trips: 0.1, 1e+16, 1e-05, inf, nan, -0.0). */
#ifndef TOY_FLOAT_H
#define TOY_FLOAT_H

#include "object.h"

typedef struct {
    Object base;
    double value;
} FloatObject;

extern Type float_type;

static inline bool is_float(Object *o) { return o->type == &float_type; }
static inline double float_value(Object *o) { return ((FloatObject *)o)->value; }

Object *float_from_double(double v);
/* repr(v) into buf (at least 32 bytes); returns the length. */
int float_repr_buf(double v, char *buf, size_t size);
/* Convert int or float to double: 0 ok, -1 with TypeError. */
int float_as_double(Object *o, double *out);
/* Python's hash of a float (equal to the int hash for integral values). */
int64_t float_hash_double(double v);

#endif
