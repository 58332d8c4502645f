/* complexobject.h - complex numbers: a pair of IEEE doubles (real, imag),
 * printed, hashed and combined as Python 3.11 does.
 *
 * A ComplexObject never changes after creation. Arithmetic with int and
 * float operands happens here: int.c and float.c answer NotImplemented for
 * a complex operand, and the reflected complex slot runs. */
#ifndef TOY_COMPLEXOBJECT_H
#define TOY_COMPLEXOBJECT_H

#include "core/object.h"

typedef struct {
    Object base;
    double real, imag;
} ComplexObject;

extern Type complex_type;

/* complex or a user subclass of it; is_complex_exact: complex itself. */
static inline bool is_complex(Object *o) { return is_builtin_instance(o, &complex_type); }
static inline bool is_complex_exact(Object *o) { return o->type == &complex_type; }
static inline double complex_real(Object *o) { return ((ComplexObject *)o)->real; }
static inline double complex_imag(Object *o) { return ((ComplexObject *)o)->imag; }

Object *complex_from_doubles(double real, double imag);

/* One part as complex's repr shows it: the float repr without a trailing
   ".0" ("1", "1.5", "1e+16", "inf", "nan"). buf: at least 32 bytes; returns
   the length. */
int complex_part_repr(double v, char *buf, size_t size);

/* x ** y on complex values with Python's rules (an integral real exponent
   up to 100 by repeated multiplication) and errors: ZeroDivisionError "0.0
   to a negative or complex power", OverflowError "complex exponentiation".
   float.c uses it for a negative float to a fractional power. */
Object *complex_pow_parts(double xr, double xi, double yr, double yi);

/* (ar + ai j) / (br + bi j) as complex's `/` computes it, into *rr, *ri:
   0, or -1 (nothing set) when the divisor is zero. */
int complex_quotient(double ar, double ai, double br, double bi, double *rr, double *ri);

/* The argument of a cmath function as a complex: a complex, __complex__,
   else a real number (float_as_double's rules and TypeError "must be real
   number, not str"). 0, or -1 with the error set. */
int complex_as_parts(Object *o, double *real, double *imag);

#endif
