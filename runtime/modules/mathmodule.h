/* mathmodule.h - the math module, in four files:
 *
 *   mathmodule.c  the function table and constants; the libm wrappers with
 *                 CPython's error rules; rounding, logarithms, pow, frexp, ...
 *   mathint.c     the integer functions: gcd, lcm, isqrt, factorial, comb,
 *                 perm (exact on ints of any size)
 *   mathsum.c     the functions over many numbers: fsum, hypot, dist, prod
 *   mathgamma.c   gamma and lgamma
 *
 * Every function is a CFunction of the module table; none keeps state.
 * Results are bit-identical to CPython 3.11 on the same C library: the
 * wrappers call the same libm routines, and where CPython computes a result
 * itself (fsum, hypot, gamma, lgamma, logarithms of huge ints) these files
 * follow the same arithmetic steps.
 */
#ifndef TOY_MATHMODULE_H
#define TOY_MATHMODULE_H

#include "core/object.h"

Object *math_module_init(void);

/* ValueError("math domain error") / OverflowError("math range error").
   Both return NULL. */
Object *math_domain_error(void);
Object *math_range_error(void);

/* -1, 0 or 1 as the int (or int subclass instance) o is negative, zero or
   positive. */
int math_int_sign(Object *o);
/* A plain int with the value of an int or of an instance of a subclass
   (math.floor(True) is 1). */
Object *math_plain_int(Object *x);

/* mathint.c */
Object *math_gcd(Object *self, Object *const *args, size_t nargs, Object *kwnames);
Object *math_lcm(Object *self, Object *const *args, size_t nargs, Object *kwnames);
Object *math_isqrt(Object *self, Object *const *args, size_t nargs, Object *kwnames);
Object *math_factorial(Object *self, Object *const *args, size_t nargs, Object *kwnames);
Object *math_comb(Object *self, Object *const *args, size_t nargs, Object *kwnames);
Object *math_perm(Object *self, Object *const *args, size_t nargs, Object *kwnames);

/* mathsum.c */
Object *math_fsum(Object *self, Object *const *args, size_t nargs, Object *kwnames);
Object *math_hypot(Object *self, Object *const *args, size_t nargs, Object *kwnames);
Object *math_dist(Object *self, Object *const *args, size_t nargs, Object *kwnames);
Object *math_prod(Object *self, Object *const *args, size_t nargs, Object *kwnames);

/* mathgamma.c */
Object *math_gamma(Object *self, Object *const *args, size_t nargs, Object *kwnames);
Object *math_lgamma(Object *self, Object *const *args, size_t nargs, Object *kwnames);

#endif
