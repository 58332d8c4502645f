/* cmathmodule.h - the cmath module: mathematical functions of complex
 * numbers (cmathmodule.c). */
#ifndef TOY_CMATHMODULE_H
#define TOY_CMATHMODULE_H

#include <complex.h>

#include "core/object.h"

Object *cmath_module_init(void);

/* re + im*i exactly, signed zeros, infinities and NaNs kept (re + im*I
   would turn (inf, 0) into (inf, nan)). C11's CMPLX is not in every C
   library's header for every compiler; a double complex is laid out as
   double[2], so the union gives the same value everywhere. */
static inline double complex cmath_complex(double re, double im) {
    union {
        double parts[2];
        double complex z;
    } u = {.parts = {re, im}};
    return u.z;
}

/* cmathfuncs.c: the functions at a finite argument, with Python's formulas
   (the same values to the last bit). Pure: no errors, no objects. */
double complex cmath_sqrt_finite(double complex z);
double complex cmath_exp_finite(double complex z);
double complex cmath_log_finite(double complex z);
double complex cmath_acos_finite(double complex z);
double complex cmath_asin_finite(double complex z);
double complex cmath_atan_finite(double complex z);
double complex cmath_cos_finite(double complex z);
double complex cmath_sin_finite(double complex z);
double complex cmath_tan_finite(double complex z);
double complex cmath_acosh_finite(double complex z);
double complex cmath_asinh_finite(double complex z);
double complex cmath_atanh_finite(double complex z);
double complex cmath_cosh_finite(double complex z);
double complex cmath_sinh_finite(double complex z);
double complex cmath_tanh_finite(double complex z);
/* ... and at an infinite or NaN argument, with Python's special values. */
double complex cmath_exp_special(double complex z);
double complex cmath_acos_special(double complex z);
double complex cmath_asin_special(double complex z);
double complex cmath_atan_special(double complex z);
double complex cmath_cos_special(double complex z);
double complex cmath_sin_special(double complex z);
double complex cmath_tan_special(double complex z);
double complex cmath_acosh_special(double complex z);
double complex cmath_cosh_special(double complex z);
double complex cmath_sinh_special(double complex z);
double complex cmath_tanh_special(double complex z);

#endif
